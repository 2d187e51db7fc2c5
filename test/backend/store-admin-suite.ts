import {
  type AgentIdentity,
  type Backend,
  type Clock,
  createAgentIdentity,
  createGuard,
  type Guard,
  type LedgerRecord,
  type PayloadPolicy,
  Session,
  type Writ,
} from "@writ/core";
import { parseSignedTreeHead, verifyConsistency, verifyLedgerEvidence } from "@writ/core/backend";
import { fixedClock, seededRandom } from "@writ/core/testing";
import type { StoreAdmin } from "@writ/store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eventually } from "../support/eventually.js";
import { createOcsfValidator } from "./ocsf-validator.js";

/** What the suite tests: a Backend guards run on, with the store's admin API. */
export type BackendUnderTest = Backend & StoreAdmin;

export interface StoreAdminSuiteOptions {
  /** Opens a fresh, empty store whose records are timed by `clock`. Closed by the suite. */
  readonly open: (clock: Clock) => Promise<BackendUnderTest>;
}

const AUDIENCE = "urn:writ:test-guard";

async function drain(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

/**
 * What a store adds to the Backend contract (DESIGN §10): the admin API —
 * directory, roles, issuing, revocations, approvals, ledger queries and
 * exports, keys — and the ledger rows it writes. Runs against SQLite, PGlite,
 * a real Postgres server and the remote client (Writ server + RemoteAdmin).
 */
export function storeAdminSuite(name: string, options: StoreAdminSuiteOptions): void {
  describe(`store admin suite: ${name}`, () => {
    let clock: ReturnType<typeof fixedClock>;
    let store: BackendUnderTest;
    let guards: Guard[];
    let planner: AgentIdentity;
    let worker: AgentIdentity;
    let reviewer: AgentIdentity;

    beforeEach(async () => {
      clock = fixedClock(Date.UTC(2026, 0, 1, 12));
      store = await options.open(clock);
      guards = [];
      planner = createAgentIdentity("planner");
      worker = createAgentIdentity("worker");
      reviewer = createAgentIdentity("reviewer");
      await store.putUser({
        id: "alice",
        permissions: "refunds.approve(amount < 10000); email.send; docs.read",
      });
      await store.putAgent({
        id: "planner",
        policy: "refunds.*; email.send; docs.read",
        keys: [planner],
      });
      await store.putAgent({ id: "worker", policy: "refunds.approve; docs.read", keys: [worker] });
      await store.putAgent({ id: "reviewer", policy: "docs.read", keys: [reviewer] });
    });

    afterEach(async () => {
      for (const guard of guards) await guard.close();
      await store.close();
    });

    async function guard(payloads?: PayloadPolicy): Promise<Guard> {
      const created = await createGuard({
        backend: store,
        issuer: await store.issuerKeys(),
        audience: AUDIENCE,
        clock,
        random: seededRandom(`guard-${guards.length}`),
        ...(payloads === undefined ? {} : { payloads }),
      });
      guards.push(created);
      return created;
    }

    /** A three-hop writ for alice: planner (root) → worker → reviewer. */
    async function chain(): Promise<{ root: Session; leaf: Session; writ: Writ }> {
      const root = new Session(planner, await store.issue({ user: "alice", agent: "planner" }), {
        clock,
      });
      const middle = root.delegate(worker, { grants: "refunds.approve(amount < 5000); docs.read" });
      const leaf = middle.delegate(reviewer, { grants: "docs.read" });
      return { root, leaf, writ: root.writ };
    }

    const refund = (session: Session, amount: number, g: Guard, callId?: string) =>
      g.callFrom(session, {
        action: "refunds.approve",
        tool: "approve_refund",
        args: { amount },
        ...(callId ? { callId } : {}),
      });

    it("resolves a user's permissions as direct grants ∪ role grants, live", async () => {
      await store.putRole({ id: "support", permissions: "refunds.approve(amount < 100)" });
      await store.putRole({ id: "mailer", permissions: "email.send" });
      const bob = await store.putUser({
        id: "bob",
        permissions: "docs.read",
        roles: ["support", "mailer"],
      });
      expect(bob.roles).toEqual(["mailer", "support"]);
      expect(bob.permissions).toEqual([{ action: "docs.read" }]);
      expect(bob.effectivePermissions).toEqual(
        expect.arrayContaining([
          { action: "docs.read" },
          { action: "email.send" },
          { action: "refunds.approve", when: { amount: { lt: 100 } } },
        ]),
      );
      expect(bob.effectivePermissions).toHaveLength(3);
      const g = await guard();
      const session = new Session(planner, await store.issue({ user: "bob", agent: "planner" }), {
        clock,
      });
      expect(await g.authorize(refund(session, 50, g))).toMatchObject({ effect: "allow" });
      await store.putRole({ id: "support", permissions: "refunds.approve(amount < 10)" });
      await eventually(
        async () => (await g.authorize(refund(session, 50, g))).code === "live.permission_denied",
        "a narrowed role reaches the guard",
      );
      await store.unassignRole("bob", "mailer");
      await eventually(
        async () =>
          (await g.authorize(g.callFrom(session, { action: "email.send", tool: "send", args: {} })))
            .code === "live.permission_denied",
        "an unassigned role reaches the guard",
      );
      expect((await store.getRole("support"))?.members).toEqual(["bob"]);
      expect(await store.removeRole("support")).toBe(true);
      expect((await store.getUser("bob"))?.roles).toEqual([]);
    });

    it("replays recorded decisions under proposed grants: what a policy or permission change would do", async () => {
      const g = await guard({ full: { actions: ["refunds.*"] } });
      const { root } = await chain();
      const workerSession = root.delegate(worker, { grants: "refunds.approve(amount < 5000)" });
      await g.authorize(refund(workerSession, 120, g, "what-if-small"));
      await g.authorize(refund(workerSession, 3000, g, "what-if-large"));
      const narrower = await store.whatIf({
        subject: { kind: "agent", id: "worker" },
        grants: "refunds.approve(amount < 1000)",
      });
      expect(narrower).toMatchObject({ examined: 2, changed: 1, skipped: 0 });
      const changed = narrower.calls.find((call) => call.changed);
      expect(changed).toMatchObject({
        callId: "what-if-large",
        before: { effect: "allow" },
        after: { effect: "deny", code: "live.policy_denied", agent: "worker" },
      });
      // The planner appears in both chains; a user's permissions reach every call they made.
      expect(
        (await store.whatIf({ subject: { kind: "agent", id: "planner" }, grants: "docs.read" }))
          .changed,
      ).toBe(2);
      const user = await store.whatIf({
        subject: { kind: "user", id: "alice" },
        grants: "refunds.approve(amount < 10000) needs approval",
      });
      expect(user.calls.every((call) => call.after?.effect === "approval_required")).toBe(true);
      expect(await store.getAgent("worker")).toMatchObject({
        policy: [{ action: "refunds.approve" }, { action: "docs.read" }],
      });
    });

    it("refuses to issue for revoked users, agents and issuer keys, and lists every revocation in order", async () => {
      await store.putUser({ id: "bob", permissions: "docs.read" });
      await store.putAgent({
        id: "helper",
        policy: "docs.read",
        keys: [createAgentIdentity("helper")],
      });
      await store.revoke({ kind: "user", id: "bob", reason: "left", by: "ops" });
      await expect(store.issue({ user: "bob", agent: "planner" })).rejects.toMatchObject({
        code: "revoked.user",
      });
      await store.revoke({ kind: "agent", id: "helper" });
      await expect(store.issue({ user: "alice", agent: "helper" })).rejects.toMatchObject({
        code: "revoked.agent",
      });
      await store.revoke({ kind: "key", id: worker.thumbprint });
      await expect(store.issue({ user: "alice", agent: "worker" })).rejects.toMatchObject({
        code: "revoked.key",
      });
      await store.revoke({ kind: "issuer_key", id: (await store.issuerKeys()).active.kid });
      await expect(store.issue({ user: "alice", agent: "planner" })).rejects.toMatchObject({
        code: "revoked.issuer_key",
      });
      const revocations = (await store.listRevocations()).items;
      expect(revocations.map((revocation) => revocation.kind)).toEqual([
        "user",
        "agent",
        "key",
        "issuer_key",
      ]);
      const seqs = revocations.map((revocation) => revocation.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(await store.revoke({ kind: "user", id: "bob" })).toEqual(revocations[0]);
      const [first] = (await store.queryLedger({ kind: "revocation" })).records;
      // `by` is who revoked: the caller's own name in-process, the authenticated caller through a server.
      expect(first).toMatchObject({
        user: "bob",
        detail: { target: "user", id: "bob", reason: "left", by: expect.any(String) },
      });
    });

    it("lists approval requests, and approves and rejects them, each decision in the ledger", async () => {
      await store.putUser({
        id: "carol",
        permissions:
          "refunds.approve(amount >= 1000) needs approval; refunds.approve(amount < 1000)",
      });
      const g = await guard();
      const session = new Session(planner, await store.issue({ user: "carol", agent: "planner" }), {
        clock,
      });
      const first = await g.authorize(refund(session, 2500, g, "call-big"));
      const approvalId = first.approvalId as string;
      const pending = (await store.listApprovals()).items;
      expect(pending.map((approval) => approval.id)).toEqual([approvalId]);
      expect(pending[0]).toMatchObject({
        status: "pending",
        user: "carol",
        agent: "planner",
        action: "refunds.approve",
        tool: "approve_refund",
      });
      const approved = await store.approve(approvalId, { by: "manager", reason: "known customer" });
      expect(approved).toMatchObject({ status: "approved", decidedBy: "manager" });
      await expect(store.approve(approvalId, { by: "manager" })).rejects.toMatchObject({
        code: "approval.invalid",
      });
      await expect(store.approve(approvalId, { by: "" })).rejects.toThrow(TypeError);
      expect((await store.listApprovals({ status: "approved" })).items).toEqual([approved]);
      expect(
        await g.authorize(
          g.callFrom(session, {
            action: "refunds.approve",
            tool: "approve_refund",
            args: { amount: 2500 },
            approvalId,
          }),
        ),
      ).toMatchObject({ effect: "allow", code: "approval.granted" });
      expect((await store.queryLedger({ kind: "approval" })).records[0]).toMatchObject({
        callId: "call-big",
        decision: "allow",
        reason: "approval.granted",
        detail: { approvalId, by: "manager", reason: "known customer" },
      });

      const second = await g.authorize(refund(session, 3000, g, "call-rejected"));
      await store.reject(second.approvalId as string, { by: "manager" });
      expect(await g.authorize(refund(session, 3000, g, "call-rejected"))).toMatchObject({
        effect: "deny",
        code: "approval.rejected",
      });
      expect(
        (await store.queryLedger({ kind: "approval", callId: "call-rejected" })).records[0],
      ).toMatchObject({ decision: "deny", reason: "approval.rejected" });

      const third = await g.authorize(refund(session, 4000, g, "call-late"));
      clock.advance(2 * 3600 * 1000);
      expect((await store.listApprovals()).items).toEqual([]);
      expect(
        (await store.listApprovals({ status: "expired" })).items.map((approval) => approval.id),
      ).toEqual([third.approvalId]);
      await expect(
        store.approve(third.approvalId as string, { by: "manager" }),
      ).rejects.toMatchObject({ code: "approval.expired" });
    });

    it("queries the ledger with filters and cursor pagination, and verifies it", async () => {
      const base = clock();
      const appended = await store.append(
        Array.from({ length: 25 }, (_, index) => ({
          entry: {
            kind: "decision" as const,
            time: base + index,
            user: index % 2 === 0 ? "alice" : "bob",
            agent: "planner",
            action: index % 3 === 0 ? "email.send" : "docs.read",
            decision: index % 5 === 0 ? ("deny" as const) : ("allow" as const),
            reason: index % 5 === 0 ? "grant.action_not_granted" : "granted",
            callId: `bulk-${index}`,
            durationMs: 0.25,
            detail: { index, note: "é ✓" },
          },
        })),
      );
      expect(appended).toHaveLength(25);
      expect((await store.queryLedger({ user: "bob", kind: "decision" })).records).toHaveLength(12);
      expect(
        (await store.queryLedger({ action: "email.send", kind: "decision" })).records,
      ).toHaveLength(9);
      expect((await store.queryLedger({ decision: "deny" })).records).toHaveLength(5);
      expect((await store.queryLedger({ callId: "bulk-7" })).records[0]?.detail).toEqual({
        index: 7,
        note: "é ✓",
      });
      expect(
        (await store.queryLedger({ kind: "decision", from: base + 10, to: base + 20 })).records,
      ).toHaveLength(10);

      const all: LedgerRecord[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.queryLedger({ limit: 7, ...(cursor ? { cursor } : {}) });
        all.push(...page.records);
        cursor = page.nextCursor;
      } while (cursor);
      const everything = (await store.queryLedger({ limit: 1000 })).records;
      expect(all).toEqual(everything);
      const newest = (await store.queryLedger({ order: "desc", limit: 3 })).records;
      expect(newest.map((record) => record.id)).toEqual(
        everything
          .slice(-3)
          .reverse()
          .map((record) => record.id),
      );
      await expect(store.queryLedger({ limit: 0 })).rejects.toThrow(TypeError);
      await expect(store.queryLedger({ cursor: "garbage" })).rejects.toThrow(TypeError);

      const verification = await store.verifyLedger();
      expect(verification).toMatchObject({ ok: true, rows: everything.length });
    });

    it("signs tree heads over the whole ledger, and proves a row and the tree's growth", async () => {
      const first = await store.signTreeHead();
      if (!first) throw new Error("the setup's rows were not signed");
      const appended = await store.append(
        Array.from({ length: 300 }, (_, index) => ({
          entry: { kind: "decision" as const, time: clock(), callId: `tree-${index}` },
        })),
      );
      const second = await store.signTreeHead();
      expect(second?.treeSize).toBe(first.treeSize + 300);
      expect(await store.treeHead()).toEqual(second);

      const row = appended[123] as LedgerRecord;
      const evidence = await store.ledgerEvidence(row.id);
      expect(evidence.record).toEqual(row);
      expect(evidence.treeHead).toEqual(second);
      expect(verifyLedgerEvidence(evidence)).toMatchObject({ ok: true });
      await expect(store.ledgerEvidence("no-such-row")).rejects.toMatchObject({
        code: "store.not_found",
      });

      const { proof } = await store.consistencyProof(first.treeSize, second?.treeSize);
      expect(
        verifyConsistency({
          size1: first.treeSize,
          size2: second?.treeSize as number,
          rootHash1: first.rootHash,
          rootHash2: second?.rootHash as string,
          proof,
        }),
      ).toBe(true);

      const verification = await store.verifyLedger({ against: [first] });
      expect(verification).toMatchObject({
        ok: true,
        tree: { size: second?.treeSize, treeHeads: 2, uncovered: 0 },
      });
      expect(verification.tree.newest).toMatchObject({ treeSize: second?.treeSize, ageMs: 0 });
      expect(verification.unverified.join(" ")).toContain(
        `Rows after the first ${first.treeSize} of the tree`,
      );
    });

    it("erases a payload and still verifies the chain", async () => {
      // Bodies are kept only for what the payload policy opts in.
      const g = await guard({ full: { actions: ["email.send"] } });
      const { root } = await chain();
      const decision = await g.authorize(
        g.callFrom(root, {
          action: "email.send",
          tool: "send",
          args: { to: "x@example.com" },
          callId: "mail",
        }),
      );
      expect(decision.effect).toBe("allow");
      const row = (await store.queryLedger({ callId: "mail" })).records[0];
      const hash = row?.inputHash as string;
      expect(await store.getPayload(hash)).toMatchObject({
        body: { to: "x@example.com" },
        erased: false,
      });
      expect(await store.erasePayload(hash)).toBe(true);
      expect(await store.erasePayload(hash)).toBe(false);
      const erased = await store.getPayload(hash);
      expect(erased).toMatchObject({ hash, erased: true });
      expect(erased && "body" in erased).toBe(false);
      expect((await store.queryLedger({ callId: "mail" })).records[0]?.inputHash).toBe(hash);
      expect(await store.verifyLedger()).toMatchObject({ ok: true });
      expect(
        (await store.queryLedger({ kind: "admin" })).records.some(
          (record) => record.detail?.op === "erase_payload",
        ),
      ).toBe(true);
      await expect(store.erasePayload("not-a-hash")).rejects.toThrow(TypeError);
    });

    it("keeps the delegation tree under a root", async () => {
      const g = await guard();
      const { root, leaf } = await chain();
      const sibling = root.delegate(reviewer, { grants: "docs.read" });
      for (const session of [leaf, sibling]) {
        expect(
          await g.authorize(
            g.callFrom(session, { action: "docs.read", tool: "read_doc", args: {} }),
          ),
        ).toMatchObject({ effect: "allow" });
      }
      const rootJti = root.writ.root.claims.jti;
      await store.revoke({ kind: "hop", id: leaf.writ.hops[1]?.claims.jti as string });
      const tree = await store.delegationTree(rootJti);
      expect(tree).toMatchObject({
        jti: rootJti,
        parentJti: null,
        toAgent: "planner",
        fromAgent: null,
        user: "alice",
        revoked: false,
      });
      const children = tree?.children ?? [];
      expect(children.map((child) => child.toAgent).sort()).toEqual(["reviewer", "worker"]);
      const middle = children.find((child) => child.toAgent === "worker");
      expect(middle).toMatchObject({ fromAgent: "planner", revoked: true });
      expect(middle?.children.map((child) => [child.toAgent, child.revoked])).toEqual([
        ["reviewer", true],
      ]);
      expect(children.find((child) => child.toAgent === "reviewer")?.revoked).toBe(false);
      expect(await store.delegationTree("unknown-jti")).toBeUndefined();
      const delegations = (await store.queryLedger({ kind: "delegation" })).records;
      expect(delegations.length).toBeGreaterThanOrEqual(3);
    });

    it("binds a hop id to the first hop recorded under it, and keeps hops under their parent's user and tenant", async () => {
      const { root, leaf } = await chain();
      const rootJti = root.writ.root.claims.jti;
      const middle = leaf.writ.hops[1]?.claims.jti as string;
      const record = {
        jti: "hop-x",
        parentJti: rootJti,
        user: "alice",
        tenant: null,
        fromAgent: "planner",
        toAgent: "worker",
        issuer: root.writ.root.claims.iss,
        grants: [{ action: "docs.read" }],
        issuedAt: 100,
        expiresAt: 200,
      };
      await store.recordDelegations([record]);
      await store.recordDelegations([record]); // idempotent: the same hop again
      // Another hop under the same id, from another chain: refused, nothing of it recorded.
      await expect(
        store.recordDelegations([{ ...record, parentJti: middle, fromAgent: "worker" }]),
      ).rejects.toMatchObject({ code: "writ.jti_reused", details: { name: "hop-x" } });
      expect((await store.delegationTree("hop-x"))?.parentJti).toBe(rootJti);
      // A hop under alice's root claiming another user or tenant: refused before anything is recorded.
      await expect(
        store.recordDelegations([
          { ...record, jti: "hop-y" },
          { ...record, jti: "hop-z", parentJti: "hop-y", user: "mallory" },
        ]),
      ).rejects.toMatchObject({ code: "writ.broken_chain" });
      await expect(
        store.recordDelegations([{ ...record, jti: "hop-t", tenant: "globex" }]),
      ).rejects.toMatchObject({ code: "writ.broken_chain" });
      expect(await store.delegationTree("hop-y")).toBeUndefined();

      // Through guards: a hand-made chain whose middle hop reuses a recorded hop id is denied.
      const first = await guard();
      const read = (session: Session) =>
        first.callFrom(session, { action: "docs.read", tool: "read_doc", args: {} });
      expect(await first.authorize(read(leaf))).toMatchObject({ effect: "allow" });
      // Two roots delegated with the same randomness: their middle hops share an id.
      const delegated = async () =>
        new Session(planner, await store.issue({ user: "alice", agent: "planner" }), {
          clock,
          random: seededRandom("twin"),
        }).delegate(worker, { grants: "docs.read" }).writ;
      const original = new Session(worker, await delegated(), { clock });
      const twin = new Session(worker, await delegated(), { clock });
      expect(twin.writ.leaf.claims.jti).toBe(original.writ.leaf.claims.jti);
      expect(await first.authorize(read(original))).toMatchObject({ effect: "allow" });
      // The same guard remembers which hop it recorded; a fresh guard meets the graph's refusal.
      expect(await first.authorize(read(twin))).toMatchObject({
        effect: "deny",
        code: "writ.jti_reused",
        hop: 1,
      });
      const second = await guard();
      expect(
        await second.authorize(
          second.callFrom(twin, { action: "docs.read", tool: "read_doc", args: {} }),
        ),
      ).toMatchObject({ effect: "deny", code: "writ.jti_reused", hop: 1 });
    });

    it("turns an identity at an identity provider into the one user it is linked to", async () => {
      const acme = { issuer: "https://login.acme.test", subject: "248289761001" };
      await store.putUser({ id: "bob", permissions: "docs.read" });
      expect(await store.userForIdentity(acme)).toBeUndefined();
      const linked = await store.linkIdentity("alice", acme);
      expect(linked).toMatchObject({ ...acme, linkedAt: clock() });
      expect(await store.linkIdentity("alice", acme)).toEqual(linked); // idempotent
      expect((await store.userForIdentity(acme))?.id).toBe("alice");
      expect((await store.getUser("alice"))?.identities).toEqual([linked]);
      // One identity, one user: linking it to bob is refused while alice holds it.
      await expect(store.linkIdentity("bob", acme)).rejects.toMatchObject({
        code: "store.conflict",
      });
      await expect(store.linkIdentity("nobody", { ...acme, subject: "x" })).rejects.toMatchObject({
        code: "store.not_found",
      });
      // Provisioning creates a linked user, and never takes over one that exists.
      const other = { issuer: "https://idp.other.test", subject: "alice" };
      await expect(store.provisionUser({ id: "alice" }, other)).rejects.toMatchObject({
        code: "store.conflict",
      });
      expect(await store.userForIdentity(other)).toBeUndefined();
      expect((await store.getUser("alice"))?.identities).toHaveLength(1);
      await expect(store.provisionUser({ id: "carol" }, acme)).rejects.toMatchObject({
        code: "store.conflict",
      });
      expect(await store.getUser("carol")).toBeUndefined();
      const dave = await store.provisionUser({ id: "dave", permissions: "docs.read" }, other);
      expect(dave).toMatchObject({ id: "dave", identities: [{ ...other }] });
      expect((await store.userForIdentity(other))?.id).toBe("dave");
      // Unlinking takes the identity away; removing a user takes its identities with it.
      expect(await store.unlinkIdentity("bob", acme)).toBe(false);
      expect(await store.unlinkIdentity("alice", acme)).toBe(true);
      expect(await store.userForIdentity(acme)).toBeUndefined();
      await store.removeUser("dave");
      expect(await store.userForIdentity(other)).toBeUndefined();
      await expect(store.linkIdentity("alice", { issuer: "", subject: "x" })).rejects.toThrow(
        TypeError,
      );
      const ops = (await store.queryLedger({ kind: "admin" })).records.map(
        (record) => record.detail?.op,
      );
      expect(ops).toEqual(
        expect.arrayContaining(["link_identity", "unlink_identity", "provision_user"]),
      );
    });

    // More than a thousand approvals, each its own transaction: slow on a busy machine, never a budget.
    it("pages every list in the query, per tenant, in a stable order past any page size", {
      timeout: 300_000,
    }, async () => {
      /** Every item of a list, read page by page with `limit`. */
      async function readAll<T>(
        list: (query: { limit: number; cursor?: string }) => Promise<{
          items: readonly T[];
          nextCursor?: string;
        }>,
        limit: number,
      ): Promise<{ items: T[]; pages: number }> {
        const items: T[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await list({ limit, ...(cursor === undefined ? {} : { cursor }) });
          expect(page.items.length).toBeLessThanOrEqual(limit);
          items.push(...page.items);
          cursor = page.nextCursor;
          pages++;
        } while (cursor !== undefined);
        return { items, pages };
      }
      await store.putTenant("a");
      await store.putTenant("b");
      for (let index = 0; index < 60; index++) {
        const tenant = index % 3 === 0 ? "b" : "a";
        await store.putUser({ id: `u-${String(index).padStart(3, "0")}`, tenant });
      }
      const users = await readAll((query) => store.listUsers({ ...query, tenant: "b" }), 7);
      expect(users.items.map((user) => user.id)).toEqual(
        Array.from({ length: 20 }, (_, index) => `u-${String(index * 3).padStart(3, "0")}`),
      );
      expect(users.pages).toBe(3);
      expect((await readAll((query) => store.listUsers(query), 25)).items).toHaveLength(61);
      await expect(store.listUsers({ cursor: "not-a-cursor" })).rejects.toThrow(TypeError);
      await expect(store.listUsers({ limit: 1001 })).rejects.toThrow(TypeError);

      // More approvals than the largest page: tenant a's first, tenant b's after them.
      const at = clock();
      const request = (index: number, tenant: string) =>
        store.requestApproval({
          id: `ap-${tenant}-${String(index).padStart(4, "0")}`,
          callId: `call-${tenant}-${index}`,
          action: "refunds.approve",
          argsHash: `h${index}`,
          leafHash: "leaf",
          tool: "approve_refund",
          user: "alice",
          agent: "planner",
          tenant,
          chain: ["planner"],
          requestedAt: at + index,
          expiresAt: at + 3_600_000,
        });
      for (let index = 0; index < 1005; index++) await request(index, "a");
      for (let index = 1005; index < 1012; index++) await request(index, "b");
      const pendingB = await readAll(
        (query) => store.listApprovals({ ...query, tenant: "b" }),
        1000,
      );
      expect(pendingB.items.map((approval) => approval.id)).toEqual(
        Array.from({ length: 7 }, (_, index) => `ap-b-${1005 + index}`),
      );
      const pendingA = await readAll(
        (query) => store.listApprovals({ ...query, tenant: "a" }),
        400,
      );
      expect(pendingA.items).toHaveLength(1005);
      expect(pendingA.pages).toBe(3);
      expect(new Set(pendingA.items.map((approval) => approval.tenant))).toEqual(new Set(["a"]));

      await store.revoke({ kind: "user", id: "u-000" }); // b's
      await store.revoke({ kind: "user", id: "u-001", reason: "a's" });
      await store.revoke({ kind: "hop", id: "some-hop", reason: "written by a" });
      const forB = await readAll((query) => store.listRevocations({ ...query, tenant: "b" }), 1);
      expect(forB.items.map((revocation) => [revocation.kind, revocation.id])).toEqual([
        ["user", "u-000"],
        ["hop", "some-hop"],
      ]);
      expect(forB.items[1]?.reason).toBeUndefined();
      expect((await store.listRevocations({ kind: "hop" })).items[0]?.reason).toBe("written by a");
    });

    it("keeps API keys hashed and tenant-scoped, lists them without hashes, and revokes them for good", async () => {
      const created = await store.createApiKey({
        tenant: "acme",
        scopes: ["read", "approve"],
        label: "support leads",
        expiresAt: clock() + 86_400_000,
        by: "operator",
      });
      expect(created.key).toMatch(/^writ_[0-9a-f]{16}\.[A-Za-z0-9_-]{43}$/);
      expect(created.apiKey).toMatchObject({ tenant: "acme", scopes: ["read", "approve"] });
      expect(created.apiKey).not.toHaveProperty("hash");
      const operator = await store.createApiKey({ label: "ops" });
      const info = await store.getApiKey(created.apiKey.id);
      // Through a server the creator is the caller's own key, whatever it claims.
      expect(info).toMatchObject({ id: created.apiKey.id, label: "support leads" });
      expect(info?.createdBy).toEqual(expect.any(String));
      expect(info).not.toHaveProperty("hash");
      expect((await store.listApiKeys({ tenant: "acme" })).items.map((key) => key.id)).toEqual([
        created.apiKey.id,
      ]);
      expect((await store.listApiKeys()).items.map((key) => key.id).sort()).toEqual(
        [created.apiKey.id, operator.apiKey.id].sort(),
      );
      await store.revoke({ kind: "api_key", id: created.apiKey.id, reason: "rotated", by: "ops" });
      expect((await store.getApiKey(created.apiKey.id))?.revoked).toEqual({
        at: clock(),
        reason: "rotated",
      });
      expect(
        (await store.listRevocations({ tenant: "acme", kind: "api_key" })).items.map(
          (revocation) => revocation.id,
        ),
      ).toEqual([created.apiKey.id]);
      const audit = (await store.queryLedger({ kind: "admin" })).records.map(
        (row) => row.detail?.op,
      );
      expect(audit).toContain("create_api_key");
      await expect(store.createApiKey({ scopes: ["root" as "admin"] })).rejects.toThrow(TypeError);
    });

    it("administers users, roles, agents, keys and tenants with clear errors", async () => {
      await store.putTenant("acme");
      expect((await store.listTenants()).items.map((tenant) => tenant.id)).toEqual(["acme"]);
      const dave = await store.putUser({
        id: "dave",
        tenant: "acme",
        permissions: [{ action: "docs.read" }],
      });
      expect(dave).toMatchObject({ id: "dave", tenant: "acme", roles: [] });
      expect((await store.listUsers({ tenant: "acme" })).items.map((user) => user.id)).toEqual([
        "dave",
      ]);
      expect((await store.listUsers()).items.map((user) => user.id)).toEqual(["alice", "dave"]);
      const helper = createAgentIdentity("helper");
      const agent = await store.putAgent({
        id: "helper",
        tenant: "acme",
        policy: "docs.*",
        keys: [helper.key.publicJwk],
      });
      expect(agent.keys.map((key) => key.thumbprint)).toEqual([helper.thumbprint]);
      const second = createAgentIdentity("helper");
      expect((await store.addAgentKey("helper", second)).thumbprint).toBe(second.thumbprint);
      expect((await store.getAgent("helper"))?.keys).toHaveLength(2);
      await expect(store.issue({ user: "dave", agent: "helper" })).rejects.toThrow(TypeError);
      const writ = await store.issue({
        user: "dave",
        agent: "helper",
        key: second.thumbprint,
        grants: "docs.read",
      });
      expect(writ.tenant).toBe("acme");
      expect(await store.removeAgentKey("helper", second.thumbprint)).toBe(true);
      expect((await store.listAgents({ tenant: "acme" })).items.map((listed) => listed.id)).toEqual(
        ["helper"],
      );

      await expect(store.putUser({ id: "erin", roles: ["nope"] })).rejects.toMatchObject({
        code: "store.not_found",
      });
      await expect(store.setUserPermissions("ghost", "docs.read")).rejects.toMatchObject({
        code: "store.not_found",
      });
      await expect(store.assignRole("alice", "ghost-role")).rejects.toMatchObject({
        code: "store.not_found",
      });
      await expect(store.putUser({ id: "bad id" })).rejects.toThrow(TypeError);
      await expect(
        store.putUser({ id: "erin", permissions: "refunds.approve(amount <" }),
      ).rejects.toMatchObject({ code: "grant.syntax" });
      await expect(
        store.putAgent({ id: "thief", policy: "docs.read", keys: [planner] }),
      ).rejects.toMatchObject({ code: "store.conflict" });
      await expect(
        store.addAgentKey("helper", { kty: "OKP", crv: "Ed25519", x: "short" }),
      ).rejects.toMatchObject({ code: "key.invalid" });
      const privateJwk = helper.key.exportPrivateJwk();
      await expect(store.addAgentKey("helper", privateJwk)).rejects.toMatchObject({
        code: "key.invalid",
      });
      await expect(store.issue({ user: "dave", agent: "planner" })).rejects.toMatchObject({
        code: "live.tenant_mismatch",
      });
      await store.putUser({ id: "frank", permissions: "email.send" });
      await expect(store.issue({ user: "frank", agent: "worker" })).rejects.toMatchObject({
        code: "issue.no_authority",
      });
      await expect(store.revoke({ kind: "everything" as "hop", id: "x" })).rejects.toThrow(
        TypeError,
      );
      await expect(store.approve("no-such-approval", { by: "ops" })).rejects.toMatchObject({
        code: "approval.invalid",
      });

      expect(await store.removeUser("dave")).toBe(true);
      expect(await store.removeUser("dave")).toBe(false);
      expect(await store.getUser("dave")).toBeUndefined();
      const admin = (await store.queryLedger({ kind: "admin", limit: 1000 })).records.map(
        (record) => record.detail?.op,
      );
      expect(admin).toEqual(
        expect.arrayContaining([
          "put_user",
          "put_agent",
          "add_agent_key",
          "remove_agent_key",
          "remove_user",
        ]),
      );
    });

    it("rotates and retires issuer keys: old writs verify until their key is retired", async () => {
      const before = await store.issuerKeys();
      const oldKid = before.active.kid;
      const { leaf } = await chain();
      const newKid = await store.rotateIssuerKey();
      expect(newKid).not.toBe(oldKid);
      const rotated = await store.issuerKeys();
      expect(rotated.active.kid).toBe(newKid);
      expect((await store.issuerJwks()).keys.map((key) => key.kid).sort()).toEqual(
        [oldKid, newKid].sort(),
      );
      const g = await guard();
      const read = (target: Guard) =>
        target.authorize(
          target.callFrom(leaf, { action: "docs.read", tool: "read_doc", args: {} }),
        );
      expect(await read(g)).toMatchObject({ effect: "allow" });
      const fresh = await store.issue({ user: "alice", agent: "planner" });
      expect((fresh.root.header as { kid: string }).kid).toBe(newKid);
      await expect(store.retireIssuerKey(newKid)).rejects.toMatchObject({ code: "key.invalid" });
      await store.retireIssuerKey(oldKid);
      expect((await store.issuerJwks()).keys.map((key) => key.kid)).toEqual([newKid]);
      expect(await read(await guard())).toMatchObject({ effect: "deny", code: "writ.unknown_key" });
    });

    it("streams exports in every format; each OCSF event kind validates against the OCSF 1.8 schema", async () => {
      const g = await guard();
      await store.putUser({
        id: "carol",
        permissions: "refunds.approve needs approval; email.send; docs.read",
      });
      const session = new Session(planner, await store.issue({ user: "carol", agent: "planner" }), {
        clock,
      });
      await g.run(
        g.callFrom(session, { action: "email.send", tool: "send", args: { to: "a" } }),
        () => "sent",
      );
      await expect(
        g.run(
          g.callFrom(session, { action: "docs.read", tool: "read_doc", args: { id: 1 } }),
          () => {
            throw new Error("tool failed");
          },
        ),
      ).rejects.toThrow("tool failed");
      await g.authorize(g.callFrom(session, { action: "calendar.book", tool: "book", args: {} }));
      const pending = await g.authorize(refund(session, 10, g));
      await store.approve(pending.approvalId as string, { by: "manager" });
      await store.revoke({ kind: "agent", id: "reviewer", reason: "retired" });

      const rows = (await store.queryLedger({ limit: 1000 })).records;
      const jsonl = (await drain(store.exportLedger("jsonl"))).map(
        (line) => JSON.parse(line) as LedgerRecord,
      );
      // The export ends with a signed tree head covering it: the receiver keeps it as a witness.
      const treeHead = parseSignedTreeHead(jsonl.pop());
      expect(jsonl).toEqual(rows);
      expect(treeHead.treeSize).toBe(rows.length);
      expect(await store.verifyLedger({ against: [treeHead] })).toMatchObject({ ok: true });
      const validate = createOcsfValidator();
      const ocsf = (await drain(store.exportLedger("ocsf"))).map((line) => {
        expect(line.endsWith("\n")).toBe(true);
        return JSON.parse(line) as Record<string, unknown> & {
          status_id: number;
          unmapped: { writ: { kind: string } };
        };
      });
      expect(ocsf).toHaveLength(rows.length + 1);
      expect(ocsf.at(-1)?.unmapped.writ.kind).toBe("tree_head");
      for (const event of ocsf) expect(validate(event)).toBeUndefined();
      const kinds = (predicate: (event: (typeof ocsf)[number]) => boolean) => ocsf.some(predicate);
      expect(
        kinds((event) => event.unmapped.writ.kind === "decision" && event.status_id === 1),
      ).toBe(true); // allowed
      expect(
        kinds((event) => event.unmapped.writ.kind === "decision" && event.status_id === 2),
      ).toBe(true); // denied
      expect(
        kinds((event) => event.unmapped.writ.kind === "outcome" && event.status_id === 2),
      ).toBe(true); // error
      expect(kinds((event) => event.unmapped.writ.kind === "approval")).toBe(true);
      expect(kinds((event) => event.unmapped.writ.kind === "revocation")).toBe(true);
      expect(validate({ ...ocsf[0], class_uid: 1 })).toBeDefined();

      const ecs = (await drain(store.exportLedger("ecs", { kind: "decision" }))).map(
        (line) => JSON.parse(line) as { event: { outcome: string } },
      );
      expect(ecs.map((event) => event.event.outcome)).toEqual(
        expect.arrayContaining(["success", "failure", "unknown"]),
      );
      // A filtered export still ends with the tree head over the whole ledger.
      expect(ecs).toHaveLength(rows.filter((row) => row.kind === "decision").length + 1);
      await expect(
        store
          .exportLedger("csv" as "jsonl")
          [Symbol.asyncIterator]()
          .next(),
      ).rejects.toThrow(TypeError);
    });
  });
}
