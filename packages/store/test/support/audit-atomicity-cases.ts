import { createAgentIdentity, createGuard, type LedgerRecord, Session } from "@writ/core";
import { fixedClock, seededRandom } from "@writ/core/testing";
import type { StoreBackend } from "@writ/store";
import { describe, expect, it } from "vitest";
import { allLedgerRows } from "../../../../test/support/ledger-rows.js";

/** The ledger kinds that record administrative changes. */
const AUDIT_KINDS = ["admin", "revocation", "approval"] as const;
const AUDIT_KIND_LIST = AUDIT_KINDS.map((kind) => `'${kind}'`).join(", ");

/** SQLite: a trigger that refuses ledger rows of the audit kinds, or drops it. */
export function sqliteAuditRefusal(refuse: boolean): string {
  return refuse
    ? `CREATE TRIGGER writ_test_refuse_audit BEFORE INSERT ON writ_ledger
       WHEN NEW.kind IN (${AUDIT_KIND_LIST})
       BEGIN SELECT RAISE(ABORT, 'audit rows refused by the test'); END`
    : "DROP TRIGGER writ_test_refuse_audit";
}

/** Postgres: a trigger in `schema` that refuses ledger rows of the audit kinds, or drops it. */
export function postgresAuditRefusal(schema: string, refuse: boolean): string {
  return refuse
    ? `CREATE FUNCTION ${schema}.writ_test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.kind IN (${AUDIT_KIND_LIST}) THEN
           RAISE EXCEPTION 'audit rows refused by the test';
         END IF;
         RETURN NEW;
       END $$;
       CREATE TRIGGER writ_test_refuse_audit BEFORE INSERT ON ${schema}.writ_ledger
         FOR EACH ROW EXECUTE FUNCTION ${schema}.writ_test_refuse_audit();`
    : `DROP TRIGGER writ_test_refuse_audit ON ${schema}.writ_ledger;
       DROP FUNCTION ${schema}.writ_test_refuse_audit();`;
}

export interface AuditTarget {
  readonly store: StoreBackend;
  /**
   * Makes the database refuse new ledger rows of the audit kinds (as a failing
   * disk or a broken ledger would), or, with false, accept them again.
   */
  refuseAuditRows(refuse: boolean): Promise<void>;
  close(): Promise<void>;
}

export interface AuditAtomicityOptions {
  open(options: {
    clock: () => number;
    random: (size: number) => Uint8Array;
  }): Promise<AuditTarget>;
}

/** An administrative change and the ledger row that records it commit together, or neither does. */
export function auditAtomicityCases(name: string, options: AuditAtomicityOptions): void {
  describe(`administrative changes commit with their ledger rows: ${name}`, () => {
    it("makes no change whose ledger row cannot be written, and the chain goes on intact", async () => {
      const clock = fixedClock(Date.UTC(2026, 0, 3));
      const target = await options.open({ clock, random: seededRandom("audit") });
      const { store } = target;
      try {
        const planner = createAgentIdentity("planner");
        await store.putUser({ id: "alice", permissions: "docs.read" });
        await store.putAgent({ id: "planner", policy: "docs.read", keys: [planner] });
        const guard = await createGuard({
          backend: store,
          issuer: await store.issuerKeys(),
          audience: "urn:writ:audit",
          clock,
          // The erasure below needs a stored payload: this action's bodies are kept.
          payloads: { full: { actions: ["docs.read"] } },
        });
        const session = new Session(
          planner,
          await store.issue({ user: "alice", agent: "planner" }),
          {
            clock,
          },
        );
        const read = () =>
          guard.authorize(
            guard.callFrom(session, { action: "docs.read", tool: "read", args: { doc: 1 } }),
          );
        const allowed = await read();
        expect(allowed).toMatchObject({ effect: "allow" });
        const payload = (await store.queryLedger({ kind: "decision" })).records[0]
          ?.inputHash as string;
        const { approval: pending } = await store.requestApproval({
          id: "approval-1",
          callId: "call-1",
          action: "docs.read",
          argsHash: "YQ",
          leafHash: "l",
          tool: "read",
          user: "alice",
          agent: "planner",
          chain: ["planner"],
          requestedAt: clock(),
          expiresAt: clock() + 60_000,
        });
        const kids = (await store.issuerJwks()).keys.map((key) => key.kid);
        const before = await allLedgerRows(store);

        await target.refuseAuditRows(true);
        const refused = { code: "ledger.unavailable" };
        await expect(store.putUser({ id: "bob", permissions: "docs.read" })).rejects.toMatchObject(
          refused,
        );
        await expect(store.setUserPermissions("alice", "email.send")).rejects.toMatchObject(
          refused,
        );
        await expect(store.revoke({ kind: "agent", id: "planner" })).rejects.toMatchObject(refused);
        await expect(store.removeAgent("planner")).rejects.toMatchObject(refused);
        await expect(store.rotateIssuerKey()).rejects.toMatchObject(refused);
        await expect(store.erasePayload(payload)).rejects.toMatchObject(refused);
        await expect(store.approve(pending.id, { by: "ops" })).rejects.toMatchObject(refused);
        // A person's answer given through a guard (an adapter resuming a call) likewise.
        await expect(
          guard.decideApproval(pending.id, { approved: true, by: "bob" }),
        ).rejects.toMatchObject(refused);
        await expect(store.createApiKey({ label: "ops" })).rejects.toMatchObject(refused);

        expect(await store.getUser("bob")).toBeUndefined();
        expect((await store.getUser("alice"))?.permissions).toEqual([{ action: "docs.read" }]);
        expect((await store.listRevocations()).items).toEqual([]);
        expect((await store.listApiKeys()).items).toEqual([]);
        expect(await store.getAgent("planner")).toBeDefined();
        expect((await store.issuerJwks()).keys.map((key) => key.kid)).toEqual(kids);
        expect((await store.getPayload(payload))?.body).toEqual({ doc: 1 });
        expect((await store.getApproval(pending.id))?.status).toBe("pending");
        // Nothing reached the watching guard either: the live changes rolled back with the rest.
        expect(await read()).toMatchObject({ effect: "allow" });
        // A guard's rows are not audit rows: they still append, on the same chain.
        expect((await allLedgerRows(store)).slice(before.length).map((row) => row.kind)).toEqual([
          "decision",
        ]);

        await target.refuseAuditRows(false);
        await store.revoke({ kind: "agent", id: "planner", by: "ops" });
        await expect.poll(read).toMatchObject({ effect: "deny", code: "revoked.agent" });
        const after = await allLedgerRows(store);
        expect(after.filter((row) => AUDIT_KINDS.includes(row.kind as never)).length).toBe(
          before.filter((row) => AUDIT_KINDS.includes(row.kind as never)).length + 1,
        );
        expect(await store.verifyLedger()).toMatchObject({ ok: true, rows: after.length });
        await guard.close();
      } finally {
        await target.close();
      }
    });

    it("keeps one unbroken chain while administrative changes and guards' appends interleave", async () => {
      const clock = fixedClock(Date.UTC(2026, 0, 3));
      const target = await options.open({ clock, random: seededRandom("interleave") });
      const { store } = target;
      try {
        const appends = Array.from({ length: 40 }, (_, index) =>
          store.append([
            { entry: { kind: "decision", time: clock(), decision: "allow", callId: `c${index}` } },
          ]),
        );
        const changes = Array.from({ length: 10 }, (_, index) =>
          store.putUser({ id: `user-${index}`, permissions: "docs.read" }),
        );
        await Promise.all([...appends, ...changes]);
        const rows: LedgerRecord[] = await allLedgerRows(store);
        expect(rows.map((row) => row.seq)).toEqual(rows.map((_, index) => index + 1));
        expect(
          rows.filter((row) => row.detail?.op === "put_user").map((row) => row.user),
        ).toHaveLength(10);
        expect(await store.verifyLedger()).toMatchObject({ ok: true, rows: 50 });
      } finally {
        await target.close();
      }
    });
  });
}
