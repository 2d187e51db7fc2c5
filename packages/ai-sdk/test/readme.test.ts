import { readFileSync } from "node:fs";
import { tool } from "ai";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { withWrit } from "../src/index.js";
import { call, say, scriptedModel } from "./model.js";
import { askShared, askUsable, plannerToolsFor } from "./readme/sessions.js";
import { actions, refundTools } from "./tools.js";
import { createWorld, summary } from "./world.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

describe("the README's quick start", () => {
  it("runs as written and prints what the README says", async () => {
    const printed: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((...values: unknown[]) => {
      printed.push(values.map(String).join(" "));
    });
    try {
      await import("./quick-start.js");
    } finally {
      log.mockRestore();
    }
    const expected = /```text\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf("It prints:")))?.[1];
    expect(printed.join("\n")).toBe(expected?.trimEnd());
  });
});

describe("the README's sessions", () => {
  it("guards a tool set shared between users with each call's session", async () => {
    const { guard, session, rows } = await createWorld();
    const tools = withWrit(refundTools().tools, { guard, actions });
    await askShared(
      scriptedModel([call("approve_refund", { amount: 20 })]),
      tools,
      "Refund 20.",
      session,
    );
    expect((await rows()).map(summary)).toEqual(["decision:allow:granted", "outcome:ok"]);
  });

  it("offers the model only the tools the session could ever use", async () => {
    const { guard, sessionFor } = await createWorld();
    const tools = withWrit(
      {
        ...refundTools().tools,
        lookup_order: tool({ inputSchema: z.object({}), execute: async () => "" }),
      },
      { guard, actions: { ...actions, lookup_order: "orders.lookup" } },
    );
    const model = scriptedModel([say("Nothing to do.")]);
    await askUsable(model, tools, "Hello.", sessionFor(undefined, "refunds.*"));
    expect(model.doGenerateCalls[0]?.tools?.map((offered) => offered.name)).toEqual([
      "approve_refund",
    ]);
  });

  it("runs the worker under the planner's delegation, where a larger refund is denied", async () => {
    const { guard, session, worker, rows } = await createWorld();
    const workerTools = withWrit(refundTools().tools, { guard, actions });
    const model = scriptedModel([
      call("ask_refund_worker", { task: "Refund 40." }, "plan-1"),
      call("approve_refund", { amount: 40 }, "work-1"),
      call("ask_refund_worker", { task: "Refund 400." }, "plan-2"),
      call("approve_refund", { amount: 400 }, "work-2"),
    ]);
    const plannerTools = plannerToolsFor(guard, worker, model, workerTools);
    await askShared(model, plannerTools, "Refund 40.", session);
    await askShared(model, plannerTools, "Refund 400.", session);
    const decisions = (await rows(["decision"])).map(
      (row) => `${row.callId} ${summary(row)} ${row.chain?.agents.join(">")}`,
    );
    expect(decisions).toEqual([
      "plan-1 decision:allow:granted support",
      "work-1 decision:allow:granted support>refund-worker",
      "plan-2 decision:allow:granted support",
      "work-2 decision:deny:grant.condition_failed support>refund-worker",
    ]);
  });
});
