import { readFileSync } from "node:fs";
import { sqliteBackend } from "@writ/store";
import { expect, it, onTestFinished } from "vitest";
import { createOcsfValidator } from "../../../test/backend/ocsf-validator.js";
import { scriptedModels } from "../src/models.js";
import { runSupportRefunds } from "../src/support-refunds.js";

const guide = readFileSync(new URL("../../../docs/siem-export.md", import.meta.url), "utf8");

/** Values that differ on every run: ids, times, hashes, positions in a chain. */
const VOLATILE = {
  ocsf: [
    "time",
    "duration",
    "metadata.uid",
    "metadata.sequence",
    "metadata.correlation_uid",
    "api.request.uid",
    "unmapped.writ.chain_id",
    "unmapped.writ.seq",
    "unmapped.writ.hash",
    "unmapped.writ.prev_hash",
    "unmapped.writ.hops",
    "unmapped.writ.input_hash",
  ],
  ecs: [
    "@timestamp",
    "event.id",
    "event.sequence",
    "event.duration",
    "event.hash",
    "writ.chain_id",
    "writ.seq",
    "writ.prev_hash",
    "writ.call_id",
    "writ.hops",
    "writ.input_hash",
  ],
} as const;

/** A copy of `event` with each volatile path that is present replaced by a marker. */
function masked(event: unknown, paths: readonly string[]): unknown {
  const copy = structuredClone(event) as Record<string, unknown>;
  for (const path of paths) {
    const keys = path.split(".");
    const last = keys.pop() as string;
    let node: unknown = copy;
    for (const key of keys) node = (node as Record<string, unknown> | undefined)?.[key];
    if (node && typeof node === "object" && last in node) {
      (node as Record<string, unknown>)[last] = "(varies)";
    }
  }
  return copy;
}

it("exports the demo's refused $500 refund as the OCSF and ECS events the SIEM guide shows", async () => {
  const store = await sqliteBackend({ path: ":memory:" });
  onTestFinished(() => store.close());
  await runSupportRefunds({
    store,
    models: scriptedModels(),
    reviewer: async () => ({ type: "approve", by: "dana@ops" }),
  });

  const exported = async (format: "ocsf" | "ecs") => {
    for await (const line of store.exportLedger(format, { kind: "decision", decision: "deny" })) {
      return JSON.parse(line) as unknown; // the first refusal: the $500 refund
    }
    throw new Error(`no ${format} event`);
  };
  const ocsf = await exported("ocsf");
  const ecs = await exported("ecs");
  expect(createOcsfValidator()(ocsf)).toBeUndefined();

  const shown = [...guide.matchAll(/```json\n([\s\S]*?)```/g)].map(
    ([, body]) => JSON.parse(body ?? "") as Record<string, unknown>,
  );
  const shownOcsf = shown.find((event) => event.class_uid === 6003);
  const shownEcs = shown.find((event) => "ecs" in event);
  expect(masked(shownOcsf, VOLATILE.ocsf)).toEqual(masked(ocsf, VOLATILE.ocsf));
  expect(masked(shownEcs, VOLATILE.ecs)).toEqual(masked(ecs, VOLATILE.ecs));
});
