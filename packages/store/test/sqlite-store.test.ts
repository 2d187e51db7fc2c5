import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAgentIdentity, createGuard, Session, WritError } from "@writ/core";
import type { LiveSink } from "@writ/core/backend";
import { fixedClock } from "@writ/core/testing";
import { DEFAULT_SQLITE_PATH, sqliteBackend } from "@writ/store";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WalFlusher } from "../src/sql/wal-flusher.js";
import {
  type AuditAtomicityOptions,
  auditAtomicityCases,
  sqliteAuditRefusal,
} from "./support/audit-atomicity-cases.js";
import { budgetReleaseCases } from "./support/budget-release-cases.js";
import { ledgerTreeCases } from "./support/ledger-tree-cases.js";
import { localRevocationCases } from "./support/local-revocation-cases.js";
import { type TamperOptions, tamperCases, treeTamperCases } from "./support/tamper-cases.js";

const folders: string[] = [];
function folder(): string {
  const path = mkdtempSync(join(tmpdir(), "writ-store-"));
  folders.push(path);
  return path;
}

const silentSink: LiveSink = { snapshot() {}, change() {}, heartbeat() {}, fault() {} };

describe("sqliteBackend", () => {
  const cwd = process.cwd();
  afterEach(() => process.chdir(cwd));

  it("defaults to ./.writ/writ.db, creating an owner-only folder and file, in WAL mode while open", async () => {
    expect(DEFAULT_SQLITE_PATH).toBe("./.writ/writ.db");
    process.chdir(folder());
    const store = await sqliteBackend();
    await store.putUser({ id: "alice", permissions: "docs.read" });
    const open = new Database(".writ/writ.db", { readonly: true });
    expect(open.pragma("journal_mode", { simple: true })).toBe("wal");
    open.close();
    await store.close();
    expect(statSync(".writ").mode & 0o777).toBe(0o700);
    expect(statSync(".writ/writ.db").mode & 0o777).toBe(0o600);
    const db = new Database(".writ/writ.db");
    // Closed, the file is left in rollback-journal mode: a copy of it reads anywhere.
    expect(db.pragma("journal_mode", { simple: true })).toBe("delete");
    expect(db.prepare("SELECT id FROM writ_users").all()).toEqual([{ id: "alice" }]);
    db.close();
    const reopened = await sqliteBackend();
    expect((await reopened.getUser("alice"))?.permissions).toEqual([{ action: "docs.read" }]);
    await reopened.close();
  });

  it("feeds guards synchronously: a revoke is enforced before revoke() resolves", async () => {
    const store = await sqliteBackend({ path: ":memory:" });
    const watch = await store.watch(silentSink);
    expect(watch.synchronous).toBe(true);
    await watch.close();
    const agent = createAgentIdentity("planner");
    await store.putUser({ id: "alice", permissions: "docs.read" });
    await store.putAgent({ id: "planner", policy: "docs.read", keys: [agent] });
    const guard = await createGuard({
      backend: store,
      issuer: await store.issuerKeys(),
      audience: "urn:test",
    });
    const writ = await store.issue({ user: "alice", agent: "planner" });
    expect(guard.canUse(writ.toString(), "docs.read")).toBe(true);
    await store.revoke({ kind: "agent", id: "planner" });
    expect(guard.canUse(writ.toString(), "docs.read")).toBe(false);
    await guard.close();
    await store.close();
  });

  it("makes every appended row durable before the append resolves", async () => {
    const path = join(folder(), "durable.db");
    const store = await sqliteBackend({ path });
    const reader = new Database(path, { readonly: true });
    const appends = Array.from({ length: 50 }, (_, index) =>
      store
        .append([
          { entry: { kind: "decision", time: index, decision: "allow", callId: `d${index}` } },
        ])
        .then(([record]) => {
          // Another connection sees the row as soon as the promise resolves.
          const row = reader
            .prepare("SELECT hash FROM writ_ledger WHERE chain_id = ? AND seq = ?")
            .get(record?.chainId, record?.seq);
          expect(row).toEqual({ hash: record?.hash });
        }),
    );
    await Promise.all(appends);
    reader.close();
    await store.close();
  });

  it("commits the next batch while the last one's commit is made durable, and resolves neither before its own sync", async () => {
    const path = join(folder(), "pipelined.db");
    const store = await sqliteBackend({ path, maxBatchRows: 1 });
    await store.append([{ entry: { kind: "decision", time: 0, callId: "first" } }]);
    // Every sync the store asks for from here waits until the test lets it run.
    const held: (() => void)[] = [];
    const flush = WalFlusher.prototype.flush;
    const spy = vi.spyOn(WalFlusher.prototype, "flush").mockImplementation(function (
      this: WalFlusher,
    ) {
      return new Promise<void>((resolve, reject) => {
        held.push(() => flush.call(this).then(resolve, reject));
      });
    });
    try {
      const settled: string[] = [];
      const appended = ["a", "b"].map((callId) =>
        store
          .append([{ entry: { kind: "decision", time: 1, callId } }])
          .then(() => settled.push(callId)),
      );
      await vi.waitFor(() => expect(held).toHaveLength(2));
      // Both rows are committed (another connection reads them), neither is durable yet.
      const reader = new Database(path, { readonly: true });
      const calls = reader.prepare("SELECT call_id FROM writ_ledger ORDER BY seq").all();
      reader.close();
      expect(calls).toEqual([{ call_id: "first" }, { call_id: "a" }, { call_id: "b" }]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(settled).toEqual([]);
      for (const release of held) release();
      await Promise.all(appended);
      expect(settled).toEqual(["a", "b"]);
    } finally {
      spy.mockRestore();
    }
    expect(await store.verifyLedger()).toMatchObject({ ok: true, rows: 3 });
    await store.close();
  });

  it("syncs a lone caller's commit at once, and a commit several callers wait on off the event loop", async () => {
    const store = await sqliteBackend({ path: join(folder(), "lone.db") });
    await store.append([{ entry: { kind: "decision", time: 0, callId: "warm" } }]);
    const flush = vi.spyOn(WalFlusher.prototype, "flush");
    try {
      await store.append([{ entry: { kind: "decision", time: 1, callId: "lone" } }]);
      expect(flush.mock.calls).toEqual([[false]]);
      flush.mockClear();
      await Promise.all(
        ["a", "b", "c"].map((callId) =>
          store.append([{ entry: { kind: "decision", time: 2, callId } }]),
        ),
      );
      expect(flush.mock.calls).toEqual([[true]]);
    } finally {
      flush.mockRestore();
    }
    await store.close();
  });

  it("refuses UPDATE and DELETE on ledger rows, checkpoints and revocations in the database itself", async () => {
    const path = join(folder(), "append-only.db");
    const store = await sqliteBackend({ path, checkpointEvery: 1 });
    await store.append([{ entry: { kind: "admin", time: 1 } }]);
    await store.revoke({ kind: "hop", id: "planner-hop" });
    await store.close();
    const db = new Database(path);
    for (const statement of [
      "UPDATE writ_ledger SET kind = 'decision'",
      "DELETE FROM writ_ledger",
      "UPDATE writ_ledger_checkpoints SET hash = 'x'",
      "DELETE FROM writ_ledger_checkpoints",
      "DELETE FROM writ_ledger_chains",
      "DELETE FROM writ_revocations",
      "UPDATE writ_live_changes SET seq = 99",
    ]) {
      expect(() => db.prepare(statement).run(), statement).toThrow(/append-only|permanent/);
    }
    expect(db.prepare("SELECT count(*) AS n FROM writ_ledger").get()).toEqual({ n: 2 });
    db.close();
  });

  it("records who revoked, and refuses an empty name for them", async () => {
    const store = await sqliteBackend({ path: ":memory:" });
    await store.putAgent({ id: "planner", policy: "docs.read" });
    await store.revoke({
      kind: "agent",
      id: "planner",
      reason: "offboarded",
      by: "ops@example.com",
    });
    const [event] = (await store.queryLedger({ kind: "revocation" })).records;
    expect(event?.detail).toMatchObject({
      target: "agent",
      id: "planner",
      reason: "offboarded",
      by: "ops@example.com",
    });
    await expect(store.revoke({ kind: "agent", id: "other", by: "" })).rejects.toThrow(TypeError);
    await store.close();
  });

  it("refuses a corrupt database file with store.corrupt", async () => {
    const path = join(folder(), "corrupt.db");
    writeFileSync(path, Buffer.alloc(8192, 0x5a));
    const failure = await sqliteBackend({ path }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WritError);
    expect(failure).toMatchObject({ code: "store.corrupt" });
    expect((failure as Error).message).toContain(path);
  });

  it("refuses to grow the ledger's tree from a missing state row, saying what it found", async () => {
    const path = join(folder(), "no-tree-state.db");
    await (await sqliteBackend({ path })).close();
    const db = new Database(path);
    db.prepare("DELETE FROM writ_ledger_tree_state").run();
    db.close();
    const store = await sqliteBackend({ path });
    await store.putUser({ id: "alice", permissions: "docs.read" });
    const failure = await store.signTreeHead().catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: "store.corrupt" });
    expect((failure as Error).cause).toMatchObject({ message: "The state row (id 1) is absent." });
    await store.close().catch(() => undefined);
  });

  it("refuses a schema newer than the code with store.schema_too_new", async () => {
    const path = join(folder(), "newer.db");
    await (await sqliteBackend({ path })).close();
    const db = new Database(path);
    db.prepare(
      "INSERT INTO writ_schema_migrations (idx, tag, hash, applied_at) VALUES (99, '0099_future', 'x', 0)",
    ).run();
    db.close();
    await expect(sqliteBackend({ path })).rejects.toMatchObject({ code: "store.schema_too_new" });
  });

  it("refuses a database whose applied migration differs from the code's", async () => {
    const path = join(folder(), "edited.db");
    await (await sqliteBackend({ path })).close();
    const db = new Database(path);
    db.prepare("UPDATE writ_schema_migrations SET hash = 'edited' WHERE idx = 0").run();
    db.close();
    await expect(sqliteBackend({ path })).rejects.toMatchObject({ code: "store.corrupt" });
  });

  it("signs checkpoints every N rows and on close, and verifies them", async () => {
    const path = join(folder(), "checkpoints.db");
    const store = await sqliteBackend({ path, checkpointEvery: 4 });
    for (let index = 0; index < 10; index++)
      await store.append([{ entry: { kind: "admin", time: index } }]);
    await store.close();
    const db = new Database(path, { readonly: true });
    const seqs = db.prepare("SELECT seq FROM writ_ledger_checkpoints ORDER BY seq").all();
    db.close();
    expect(seqs).toEqual([{ seq: 4 }, { seq: 8 }, { seq: 10 }]);
    const reopened = await sqliteBackend({ path });
    expect(await reopened.verifyLedger()).toMatchObject({
      ok: true,
      rows: 10,
      chains: 1,
      checkpoints: 3,
    });
    // A second open is a second writer: its own chain.
    const [record] = await reopened.append([{ entry: { kind: "admin", time: 11 } }]);
    expect(record?.seq).toBe(1);
    expect(record?.chainId).toBe(reopened.chainId);
    expect(await reopened.verifyLedger()).toMatchObject({ ok: true, rows: 11, chains: 2 });
    await reopened.close();
  });

  it("stores redacted payloads, never the raw input, while the row keeps the real hash", async () => {
    const store = await sqliteBackend({
      path: ":memory:",
      redact: (payload) => ({ redacted: typeof payload.body }),
    });
    await store.append([
      {
        entry: { kind: "decision", time: 1, inputHash: "a".repeat(64) },
        payloads: [{ hash: "a".repeat(64), body: { ssn: "123" } }],
      },
    ]);
    expect(await store.getPayload("a".repeat(64))).toMatchObject({
      body: { redacted: "object" },
      erased: false,
    });
    await store.close();
  });

  it("groups concurrent appends into one commit and keeps them in one gapless chain", async () => {
    const clock = fixedClock();
    const store = await sqliteBackend({ path: join(folder(), "batch.db"), clock });
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, index) =>
        store.append([{ entry: { kind: "decision", time: clock(), callId: `b${index}` } }]),
      ),
    );
    const seqs = results.map(([record]) => record?.seq ?? 0).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 500 }, (_, index) => index + 1));
    expect(await store.verifyLedger()).toMatchObject({ ok: true, rows: 500 });
    await store.close();
  });

  it("denies with ledger.unavailable when the database cannot take the decision", async () => {
    const path = join(folder(), "readonly.db");
    const store = await sqliteBackend({ path, busyTimeoutMs: 100 });
    const agent = createAgentIdentity("planner");
    await store.putUser({ id: "alice", permissions: "docs.read" });
    await store.putAgent({ id: "planner", policy: "docs.read", keys: [agent] });
    const guard = await createGuard({
      backend: store,
      issuer: await store.issuerKeys(),
      audience: "urn:test",
    });
    const session = new Session(agent, await store.issue({ user: "alice", agent: "planner" }));
    const before = (await store.queryLedger({ limit: 1000 })).records.length;
    // Another process holds the write lock past the busy timeout: the decision cannot be made durable.
    const blocker = new Database(path);
    blocker.pragma("busy_timeout = 0");
    blocker.exec("BEGIN EXCLUSIVE");
    const decision = await guard.authorize(
      guard.callFrom(session, { action: "docs.read", tool: "read", args: {} }),
    );
    blocker.exec("ROLLBACK");
    blocker.close();
    expect(decision).toMatchObject({ effect: "deny", code: "ledger.unavailable" });
    const allowed = await guard.authorize(
      guard.callFrom(session, { action: "docs.read", tool: "read", args: {} }),
    );
    expect(allowed).toMatchObject({ effect: "allow" });
    expect((await store.queryLedger({ limit: 1000 })).records.length).toBeGreaterThan(before);
    expect(await store.verifyLedger()).toMatchObject({ ok: true });
    await guard.close();
    await store.close();
  });
});

const sqliteTamperTarget: TamperOptions = {
  open: async (options) => {
    const path = join(folder(), "tamper.db");
    const store = await sqliteBackend({ path, ...options });
    return {
      store,
      another: (more) => sqliteBackend({ path, ...more }),
      tamper: async (statements) => {
        const db = new Database(path);
        // An attacker with the file can drop the triggers; the chain, checkpoints and tree still tell.
        for (const { name } of db
          .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
          .all() as { name: string }[]) {
          db.exec(`DROP TRIGGER ${name}`);
        }
        for (const statement of statements) db.exec(statement);
        db.close();
      },
      close: () => store.close(),
    };
  },
};
tamperCases("SQLite", sqliteTamperTarget);
ledgerTreeCases("SQLite", async () => {
  const path = join(folder(), "tree.db");
  return { open: (options) => sqliteBackend({ path, ...options }), folder, parallelWriters: false };
});
treeTamperCases("SQLite", sqliteTamperTarget);

budgetReleaseCases("SQLite", {
  open: (options) => sqliteBackend({ path: join(folder(), "budgets.db"), ...options }),
});

const auditTarget: AuditAtomicityOptions = {
  open: async (options) => {
    const path = join(folder(), "audit.db");
    const store = await sqliteBackend({ path, ...options });
    return {
      store,
      refuseAuditRows: async (refuse) => {
        const db = new Database(path);
        db.exec(sqliteAuditRefusal(refuse));
        db.close();
      },
      close: () => store.close(),
    };
  },
};
auditAtomicityCases("SQLite", auditTarget);
localRevocationCases("SQLite", auditTarget);
