import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createAgentIdentity, createGuard, Session } from "@writ/core";
import { type StoreBackend, sqliteBackend } from "@writ/store";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const CRASH = fileURLToPath(new URL("./fixtures/crash-after-runs.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The ledger rows of one call, as another connection to the file sees them. */
function rowsSeenFromOutside(path: string, callId: string): { kind: string; decision: string }[] {
  const outside = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return outside
      .prepare("SELECT kind, decision FROM writ_ledger WHERE call_id = ? ORDER BY seq")
      .all(callId) as { kind: string; decision: string }[];
  } finally {
    outside.close();
  }
}

/**
 * The guarded call on a SQLite file (DESIGN §6, §8): one durable commit on
 * the call's path, the decision's; the outcome group-committed after it.
 */
describe("a guarded call on a SQLite store", { timeout: 60_000 }, () => {
  let folder: string;
  let path: string;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), "writ-guarded-call-"));
    path = join(folder, "writ.db");
  });

  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  async function world(store: StoreBackend, permissions = "docs.read") {
    const agent = createAgentIdentity("worker");
    await store.putUser({ id: "alice", permissions });
    await store.putAgent({ id: agent.id, policy: "docs.read; refunds.approve", keys: [agent] });
    const guard = await createGuard({
      backend: store,
      issuer: await store.issuerKeys(),
      audience: "urn:writ:test",
    });
    const session = new Session(agent, await store.issue({ user: "alice", agent: agent.id }));
    return { guard, session };
  }

  it.each(["full", "normal"] as const)(
    "commits the decision row before the tool runs, where another connection reads it (synchronous %s)",
    async (synchronous) => {
      const store = await sqliteBackend({ path, synchronous });
      const { guard, session } = await world(store);
      const call = guard.callFrom(session, { action: "docs.read", tool: "read", args: {} });
      const seenByTool = await guard.run(call, () => rowsSeenFromOutside(path, call.callId));
      expect(seenByTool).toMatchObject({ output: [{ kind: "decision", decision: "allow" }] });
      await guard.close();
      await store.close();
    },
  );

  it("commits the outcome after the call returns, with no further call, and the store's own reads see it at once", async () => {
    const store = await sqliteBackend({ path });
    const { guard, session } = await world(store);
    const call = guard.callFrom(session, { action: "docs.read", tool: "read", args: {} });
    await guard.run(call, () => "text");
    await vi.waitFor(() =>
      expect(rowsSeenFromOutside(path, call.callId).map((row) => row.kind)).toEqual([
        "decision",
        "outcome",
      ]),
    );
    const next = guard.callFrom(session, { action: "docs.read", tool: "read", args: {} });
    await guard.run(next, () => "text");
    const { records } = await store.queryLedger({ callId: next.callId });
    expect(records.map((record) => [record.kind, record.outcome])).toEqual([
      ["decision", null],
      ["outcome", "ok"],
    ]);
    await guard.close();
    await store.close();
  });

  it("keeps the process running while an outcome waits to commit, and not once a decision's commit took it", async () => {
    const store = await sqliteBackend({ path, synchronous: "normal" });
    const timersHoldingTheProcess = () =>
      process.getActiveResourcesInfo().filter((resource) => resource === "Timeout").length;
    const before = timersHoldingTheProcess();
    const outcome = store.append([{ entry: { kind: "outcome", time: 1, outcome: "ok" } }], {
      durable: false,
    });
    expect(timersHoldingTheProcess()).toBe(before + 1);
    await store.append([{ entry: { kind: "decision", time: 2, decision: "allow" } }]);
    await outcome;
    expect(timersHoldingTheProcess()).toBe(before);
    const next = store.append([{ entry: { kind: "outcome", time: 3, outcome: "ok" } }], {
      durable: false,
    });
    expect(timersHoldingTheProcess()).toBe(before + 1);
    await store.close();
    await expect(next).resolves.toHaveLength(1);
  });

  it("writes every outcome handed to it before it closes", async () => {
    const store = await sqliteBackend({ path });
    const { guard, session } = await world(store);
    const calls = Array.from({ length: 20 }, () =>
      guard.callFrom(session, { action: "docs.read", tool: "read", args: {} }),
    );
    await Promise.all(calls.map((call) => guard.run(call, () => "text")));
    await store.close();
    const reopened = await sqliteBackend({ path });
    const outcomes = (await reopened.queryLedger({ kind: "outcome", limit: 100 })).records;
    expect(outcomes.map((record) => record.callId).sort()).toEqual(
      calls.map((call) => call.callId).sort(),
    );
    expect(await reopened.queryLedger({ withoutOutcome: true })).toEqual({ records: [] });
    await reopened.close();
  });

  it("loses at most outcomes in a crash, never a decision, and the ledger names the calls left without one", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--conditions=@writ/source", "--import", "tsx", CRASH, path, "5"],
      { cwd: ROOT },
    ).catch((error: { stdout: string; signal?: string }) => {
      expect(error.signal).toBe("SIGKILL");
      return error;
    });
    const callIds = JSON.parse(stdout) as string[];
    const store = await sqliteBackend({ path });
    const decisions = (await store.queryLedger({ kind: "decision", limit: 100 })).records;
    expect(decisions.map((record) => record.callId)).toEqual(callIds);
    const orphaned = (await store.queryLedger({ withoutOutcome: true })).records;
    // Each outcome but the last went to disk with the next call's decision.
    expect(orphaned.map((record) => record.callId)).toEqual(callIds.slice(-1));
    expect(await store.verifyLedger()).toMatchObject({ ok: true });
    await store.close();
  });

  it("lists running and paused calls as without an outcome, and not those that ended", async () => {
    const store = await sqliteBackend({ path });
    const { guard, session } = await world(store);
    const ended = guard.callFrom(session, { action: "docs.read", tool: "read", args: {} });
    await guard.run(ended, () => "text");
    const paused = guard.callFrom(session, { action: "docs.read", tool: "read", args: {} });
    const interrupt = new Error("interrupt");
    await expect(
      guard.run(
        paused,
        () => {
          throw interrupt;
        },
        { suspends: (error) => error === interrupt },
      ),
    ).rejects.toBe(interrupt);
    const refused = guard.callFrom(session, { action: "email.send", tool: "send", args: {} });
    await guard.run(refused, () => "sent");
    const running = guard.callFrom(session, { action: "docs.read", tool: "read", args: {} });
    const listed = await guard.run(running, async () =>
      (await store.queryLedger({ withoutOutcome: true })).records.map((record) => record.callId),
    );
    expect(listed).toMatchObject({ output: [paused.callId, running.callId] });
    await expect(store.queryLedger({ withoutOutcome: "yes" as never })).rejects.toThrow(TypeError);
    await guard.close();
    await store.close();
  });

  it("holds a budget exactly when 64 calls race for it, and gives back the hold of a call that failed", async () => {
    const store = await sqliteBackend({ path });
    const { guard, session } = await world(
      store,
      "docs.read; refunds.approve(amount < 100) within count <= 10 per 1d",
    );
    const calls = Array.from({ length: 64 }, () =>
      guard.callFrom(session, { action: "refunds.approve", tool: "refund", args: { amount: 5 } }),
    );
    const runs = await Promise.all(calls.map((call) => guard.run(call, () => "refunded")));
    const codes = runs.map((run) => run.decision.code);
    expect(codes.filter((code) => code === "granted")).toHaveLength(10);
    expect(codes.filter((code) => code === "budget.exceeded")).toHaveLength(54);
    expect(await store.budgetUsage({ subject: "alice" })).toMatchObject([{ used: 10, max: 10 }]);
    const reserved = (await store.queryLedger({ decision: "allow", limit: 100 })).records;
    expect(reserved.map((record) => record.detail?.budgetReservation)).toHaveLength(10);
    expect(reserved.every((record) => typeof record.detail?.budgetReservation === "string")).toBe(
      true,
    );
    await guard.close();
    await store.close();
  });

  it("gives back the hold of a call whose tool failed, and reserves nothing for a decision it could not record", async () => {
    const store = await sqliteBackend({ path, busyTimeoutMs: 100 });
    const { guard, session } = await world(
      store,
      "refunds.approve(amount < 100) within count <= 1 per 1d",
    );
    const refund = () =>
      guard.callFrom(session, { action: "refunds.approve", tool: "refund", args: { amount: 5 } });
    await expect(
      guard.run(refund(), () => {
        throw new Error("the payment provider is down");
      }),
    ).rejects.toThrow("the payment provider is down");
    expect(await store.budgetUsage({ subject: "alice" })).toMatchObject([{ used: 0 }]);
    await store.queryLedger(); // the failed call's outcome row is committed before the lock is taken
    // Another process holds the write lock: neither the decision row nor its reservation commits.
    const blocker = new Database(path);
    blocker.exec("BEGIN EXCLUSIVE");
    const blocked = await guard.authorize(refund());
    blocker.exec("ROLLBACK");
    blocker.close();
    expect(blocked).toMatchObject({ effect: "deny", code: "ledger.unavailable" });
    expect(await store.budgetUsage({ subject: "alice" })).toMatchObject([{ used: 0 }]);
    expect((await guard.run(refund(), () => "refunded")).decision.code).toBe("granted");
    expect((await guard.run(refund(), () => "refunded")).decision.code).toBe("budget.exceeded");
    await guard.close();
    await store.close();
  });

  it("rolls back a reservation whose decision row could not be made, and commits the calls decided with it", async () => {
    const store = await sqliteBackend({ path });
    const charge = {
      key: "user:alice:refunds.approve:count:1d",
      scope: "user",
      subject: "alice",
      budget: "count <= 10 per 1d",
      max: 10,
      windowMs: 86_400_000,
      amount: 1,
    } as const;
    const row = (callId: string) =>
      ({
        entry: { kind: "decision", time: 1, callId, decision: "allow", reason: "granted" },
      }) as const;
    const [failed, committed, plain] = await Promise.allSettled([
      store.reserveAndAppend({ id: "r-1", callId: "c-1", charges: [charge] }, () => {
        throw new Error("no row for this decision");
      }),
      store.reserveAndAppend({ id: "r-2", callId: "c-2", charges: [charge] }, () => row("c-2")),
      store.append([row("c-3")]),
    ]);
    expect(failed).toMatchObject({ status: "rejected" });
    expect(committed).toMatchObject({
      status: "fulfilled",
      value: { reservation: { reserved: true } },
    });
    expect(plain).toMatchObject({ status: "fulfilled" });
    expect(await store.budgetUsage({ subject: "alice" })).toMatchObject([{ used: 1 }]);
    const calls = (await store.queryLedger()).records.map((record) => record.callId);
    expect(calls).toEqual(expect.arrayContaining(["c-2", "c-3"]));
    expect(calls).not.toContain("c-1");
    expect(await store.verifyLedger()).toMatchObject({ ok: true });
    await store.close();
  });
});
