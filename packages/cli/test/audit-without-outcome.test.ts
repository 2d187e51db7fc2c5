import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAgentIdentity, createGuard, Session } from "@writ/core";
import { sqliteBackend } from "@writ/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writ } from "./support/run-writ.js";

describe("writ audit query --without-outcome", () => {
  let cwd: string;
  let finished: string;
  let unfinished: string;
  const run = (...args: string[]) => writ(args, { cwd });

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), "writ-without-outcome-"));
    expect((await run("init")).code).toBe(0);
    expect((await run("users", "put", "alice", "--grants", "docs.read")).code).toBe(0);
    // A guard on the project's store: one call runs to its end, another is decided and never finishes.
    const store = await sqliteBackend({ path: join(cwd, ".writ", "writ.db") });
    const agent = createAgentIdentity("reader");
    await store.putAgent({ id: agent.id, policy: "docs.read", keys: [agent] });
    const guard = await createGuard({
      backend: store,
      issuer: await store.issuerKeys(),
      audience: "urn:writ:cli-test",
    });
    const session = new Session(agent, await store.issue({ user: "alice", agent: agent.id }));
    const call = () => guard.callFrom(session, { action: "docs.read", tool: "read_doc", args: {} });
    const ran = call();
    finished = ran.callId;
    await guard.run(ran, () => "the doc");
    const decided = call();
    unfinished = decided.callId;
    expect((await guard.authorize(decided)).effect).toBe("allow");
    await guard.close();
    await store.close();
  });

  afterAll(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  it("lists only the allowed calls that have no outcome row", async () => {
    const query = async (...flags: string[]) => {
      const result = await run("audit", "query", "--kind", "decision", "--json", ...flags);
      expect(result.code, result.stderr).toBe(0);
      return (JSON.parse(result.stdout) as { records: { callId?: string }[] }).records.map(
        (record) => record.callId,
      );
    };
    expect(await query()).toEqual([finished, unfinished]);
    expect(await query("--without-outcome")).toEqual([unfinished]);
  });
});
