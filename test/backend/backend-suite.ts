import {
  type AgentIdentity,
  type Backend,
  type Clock,
  createAgentIdentity,
  createGuard,
  type Guard,
  type LedgerRecord,
  REVOCATION_KINDS,
  Session,
  type Writ,
  WritError,
} from "@writ/core";
import { fixedClock, seededRandom } from "@writ/core/testing";
import type { StoreAdmin } from "@writ/store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createOcsfValidator } from "./ocsf-validator.js";

/** What the suite tests: a Backend guards run on, with the store's admin API. */
export type BackendUnderTest = Backend & StoreAdmin;

export interface BackendSuiteOptions {
  /** Opens a fresh, empty store whose records are timed by `clock`. Closed by the suite. */
  readonly open: (clock: Clock) => Promise<BackendUnderTest>;
}

const AUDIENCE = "urn:writ:test-guard";

/** Waits until `check` passes: live feeds that are not in-process deliver changes asynchronously. */
async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function drain(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

/**
 * The one backend suite (DESIGN §10): Backend and admin behaviour, run
 * against every store — SQLite, PGlite, a real Postgres server, and later the
 * remote client. It speaks only the Backend and StoreAdmin interfaces.
 */
export function backendSuite(name: string, options: BackendSuiteOptions): void {
  describe(`backend suite: ${name}`, () => {
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

    async function guard(): Promise<Guard> {
      const created = await createGuard({
        backend: store,
        issuer: await store.issuerKeys(),
        audience: AUDIENCE,
        clock,
        random: seededRandom(`guard-${guards.length}`),
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

    it("allows and denies through a real guard, recording each decision durably", async () => {
      const g = await guard();
      const { root } = await chain();
      const workerSession = root.delegate(worker, { grants: "refunds.approve(amount < 5000)" });
      const allowed = await g.run(refund(workerSession, 120, g, "call-allow"), () => ({
        refunded: 120,
      }));
      expect(allowed.decision).toMatchObject({
        effect: "allow",
        code: "granted",
        user: "alice",
        agent: "worker",
      });
      expect(allowed.decision.eventId).toMatch(/^[0-9a-f-]{36}$/);
      const denied = await g.authorize(refund(workerSession, 6000, g, "call-deny"));
      expect(denied).toMatchObject({
        effect: "deny",
        code: "grant.condition_failed",
        hop: 1,
        path: "amount",
      });
      const notGranted = await g.authorize(
        g.callFrom(workerSession, { action: "email.send", tool: "send", args: {} }),
      );
      expect(notGranted).toMatchObject({ effect: "deny", code: "grant.action_not_granted" });

      const rows = (await store.queryLedger({ callId: "call-allow" })).records;
      expect(rows.map((row) => row.kind)).toEqual(["decision", "outcome"]);
      expect(rows[0]).toMatchObject({
        decision: "allow",
        reason: "granted",
        user: "alice",
        agent: "worker",
        tool: "approve_refund",
      });
      expect(rows[0]?.chain?.agents).toEqual(["planner", "worker"]);
      expect(rows[1]).toMatchObject({ outcome: "ok" });
      expect((await store.queryLedger({ callId: "call-deny" })).records[0]).toMatchObject({
        decision: "deny",
        reason: "grant.condition_failed",
      });
      const input = rows[0]?.inputHash;
      expect(input && (await store.getPayload(input))?.body).toEqual({ amount: 120 });
      expect(await store.verifyLedger()).toMatchObject({ ok: true });
    });

    it("evaluates a three-hop writ with conditions on every hop", async () => {
      const g = await guard();
      const { leaf } = await chain();
      expect(leaf.writ.hops).toHaveLength(3);
      const read = await g.authorize(
        g.callFrom(leaf, { action: "docs.read", tool: "read_doc", args: { id: "d1" } }),
      );
      expect(read).toMatchObject({ effect: "allow", chain: ["planner", "worker", "reviewer"] });
      const refunded = await g.authorize(refund(leaf, 10, g));
      expect(refunded).toMatchObject({ effect: "deny", code: "grant.action_not_granted", hop: 2 });
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

    it("applies permission and policy changes to writs already issued", async () => {
      const g = await guard();
      const { root } = await chain();
      const workerSession = root.delegate(worker, { grants: "refunds.approve(amount < 5000)" });
      expect(await g.authorize(refund(workerSession, 100, g))).toMatchObject({ effect: "allow" });
      await store.setUserPermissions("alice", "refunds.approve(amount < 50); docs.read");
      await eventually(
        async () =>
          (await g.authorize(refund(workerSession, 100, g))).code === "live.permission_denied",
        "narrowed permissions apply",
      );
      expect(await g.authorize(refund(workerSession, 10, g))).toMatchObject({ effect: "allow" });
      await store.setAgentPolicy("worker", "docs.read");
      await eventually(async () => {
        const decision = await g.authorize(refund(workerSession, 10, g));
        return decision.code === "live.policy_denied" && decision.decidedBy === "worker";
      }, "a narrowed policy applies");
      await store.removeAgent("worker");
      await eventually(
        async () => (await g.authorize(refund(workerSession, 10, g))).code === "live.agent_unknown",
        "a removed agent applies",
      );
    });

    it("enforces revocation of each kind in watching guards", async () => {
      const g = await guard();
      /** A user and three agents of its own per case, so one case's revocation cannot decide another's. */
      async function freshChain(suffix: string) {
        const agents = ["p", "w", "r"].map((role) => createAgentIdentity(`${role}-${suffix}`));
        const [p, w, r] = agents as [AgentIdentity, AgentIdentity, AgentIdentity];
        await store.putUser({ id: `u-${suffix}`, permissions: "docs.read" });
        for (const agent of agents)
          await store.putAgent({ id: agent.id, policy: "docs.read", keys: [agent] });
        const root = new Session(p, await store.issue({ user: `u-${suffix}`, agent: p.id }), {
          clock,
        });
        const leaf = root.delegate(w, { grants: "docs.read" }).delegate(r, { grants: "docs.read" });
        return { leaf, user: `u-${suffix}`, worker: w, reviewer: r };
      }
      const cases = [
        { kind: "hop", code: "revoked.hop" },
        { kind: "agent", code: "revoked.agent" },
        { kind: "key", code: "revoked.key" },
        { kind: "user", code: "revoked.user" },
        { kind: "issuer_key", code: "revoked.issuer_key" },
      ] as const;
      expect(cases.map((entry) => entry.kind).sort()).toEqual([...REVOCATION_KINDS].sort());
      for (const { kind, code } of cases) {
        const { leaf, user, worker: w, reviewer: r } = await freshChain(kind);
        const target = {
          hop: leaf.writ.hops[1]?.claims.jti as string,
          agent: r.id,
          key: w.thumbprint,
          user,
          issuer_key: (leaf.writ.root.header as { kid: string }).kid,
        }[kind];
        const read = () =>
          g.authorize(g.callFrom(leaf, { action: "docs.read", tool: "read_doc", args: {} }));
        expect(await read()).toMatchObject({ effect: "allow" });
        const revocation = await store.revoke({ kind, id: target, reason: `test ${kind}` });
        expect(revocation).toMatchObject({ kind, id: target, reason: `test ${kind}` });
        await eventually(
          () => !g.canUse(leaf.writ.toString(), "docs.read"),
          `a ${kind} revocation reaches the guard`,
        );
        expect(await read()).toMatchObject({ effect: "deny", code });
      }
      await expect(store.issue({ user: "u-user", agent: "p-user" })).rejects.toMatchObject({
        code: "revoked.user",
      });
      await expect(store.issue({ user: "alice", agent: "planner" })).rejects.toMatchObject({
        code: "revoked.issuer_key",
      });
      const revocations = await store.listRevocations();
      expect(revocations.map((revocation) => revocation.kind)).toEqual(
        cases.map((entry) => entry.kind),
      );
      const seqs = revocations.map((revocation) => revocation.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(await store.revoke({ kind: "agent", id: "r-agent" })).toEqual(revocations[1]);
      const audit = (await store.queryLedger({ kind: "revocation" })).records;
      expect(audit.map((row) => row.detail?.target)).toEqual(cases.map((entry) => entry.kind));
    });

    it("revokes a hop and, with it, everything delegated below it", async () => {
      const g = await guard();
      const { root, leaf } = await chain();
      const sibling = root.delegate(reviewer, { grants: "docs.read" });
      const read = (session: Session) =>
        g.authorize(g.callFrom(session, { action: "docs.read", tool: "read_doc", args: {} }));
      expect(await read(leaf)).toMatchObject({ effect: "allow" });
      expect(await read(sibling)).toMatchObject({ effect: "allow" });
      await store.revoke({ kind: "hop", id: leaf.writ.hops[1]?.claims.jti as string });
      await eventually(
        () => !g.canUse(leaf.writ.toString(), "docs.read"),
        "the hop revocation reaches the guard",
      );
      expect(await read(leaf)).toMatchObject({ effect: "deny", code: "revoked.hop", hop: 1 });
      expect(await read(sibling)).toMatchObject({ effect: "allow" });
    });

    it("runs approvals: request, idempotent re-request, decide, single-use consume", async () => {
      await store.putUser({
        id: "carol",
        permissions:
          "refunds.approve(amount >= 1000) needs approval; refunds.approve(amount < 1000)",
      });
      const g = await guard();
      const session = new Session(planner, await store.issue({ user: "carol", agent: "planner" }), {
        clock,
      });
      const call = refund(session, 2500, g, "call-big");
      const first = await g.authorize(call);
      expect(first).toMatchObject({ effect: "approval_required", code: "approval.required" });
      const approvalId = first.approvalId as string;
      const again = await g.authorize(refund(session, 2500, g, "call-big"));
      expect(again.approvalId).toBe(approvalId);
      expect(
        (await store.queryLedger({ callId: "call-big", kind: "decision" })).records,
      ).toHaveLength(1);
      const pending = await store.listApprovals();
      expect(pending.map((approval) => approval.id)).toEqual([approvalId]);
      expect(pending[0]).toMatchObject({
        status: "pending",
        user: "carol",
        agent: "planner",
        action: "refunds.approve",
        tool: "approve_refund",
      });

      const waiting = await g.authorize(
        g.callFrom(session, {
          action: "refunds.approve",
          tool: "approve_refund",
          args: { amount: 2500 },
          approvalId,
        }),
      );
      expect(waiting).toMatchObject({ effect: "approval_required", approvalId });
      const otherArgs = await g.authorize(
        g.callFrom(session, {
          action: "refunds.approve",
          tool: "approve_refund",
          args: { amount: 2600 },
          approvalId,
        }),
      );
      expect(otherArgs).toMatchObject({ effect: "deny", code: "approval.invalid" });

      const approved = await store.approve(approvalId, { by: "manager", reason: "known customer" });
      expect(approved).toMatchObject({ status: "approved", decidedBy: "manager" });
      await expect(store.approve(approvalId, { by: "manager" })).rejects.toMatchObject({
        code: "approval.invalid",
      });
      const released = await g.authorize(
        g.callFrom(session, {
          action: "refunds.approve",
          tool: "approve_refund",
          args: { amount: 2500 },
          approvalId,
        }),
      );
      expect(released).toMatchObject({ effect: "allow", code: "approval.granted" });
      const replay = await g.authorize(
        g.callFrom(session, {
          action: "refunds.approve",
          tool: "approve_refund",
          args: { amount: 2500 },
          approvalId,
        }),
      );
      expect(replay).toMatchObject({ effect: "deny", code: "approval.consumed" });
      // A resumed call meets its request whatever its state: never a fresh request for a spent approval.
      const resumed = await g.authorize(refund(session, 2500, g, "call-big"));
      expect(resumed).toMatchObject({ effect: "deny", code: "approval.consumed", approvalId });
      expect((await store.getApproval(approvalId))?.status).toBe("consumed");
      expect((await store.queryLedger({ kind: "approval" })).records[0]).toMatchObject({
        decision: "allow",
        reason: "approval.granted",
      });

      const second = await g.authorize(refund(session, 3000, g, "call-rejected"));
      await store.reject(second.approvalId as string, { by: "manager" });
      const rejected = await g.authorize(
        g.callFrom(session, {
          action: "refunds.approve",
          tool: "approve_refund",
          args: { amount: 3000 },
          approvalId: second.approvalId as string,
        }),
      );
      expect(rejected).toMatchObject({ effect: "deny", code: "approval.rejected" });
      expect(await g.authorize(refund(session, 3000, g, "call-rejected"))).toMatchObject({
        effect: "deny",
        code: "approval.rejected",
        approvalId: second.approvalId,
      });

      const third = await g.authorize(refund(session, 4000, g, "call-late"));
      clock.advance(2 * 3600 * 1000);
      expect(await store.listApprovals()).toEqual([]);
      expect(
        (await store.listApprovals({ status: "expired" })).map((approval) => approval.id),
      ).toEqual([third.approvalId]);
      await expect(
        store.approve(third.approvalId as string, { by: "manager" }),
      ).rejects.toMatchObject({ code: "approval.expired" });
    });

    it("consumes an approval exactly once under concurrent spenders", async () => {
      const request = {
        id: "approval-race",
        callId: "race",
        action: "refunds.approve",
        argsHash: "a",
        leafHash: "l",
        tool: "t",
        user: "alice",
        agent: "planner",
        chain: ["planner"],
        requestedAt: clock(),
        expiresAt: clock() + 60_000,
      };
      expect((await store.requestApproval(request)).created).toBe(true);
      expect(await store.requestApproval({ ...request, id: "approval-race-2" })).toMatchObject({
        created: false,
        approval: { id: "approval-race" },
      });
      await store.decideApproval("approval-race", { approved: true, by: "ops", at: clock() });
      const binding = { action: "refunds.approve", argsHash: "a", leafHash: "l" };
      const spent = await Promise.all(
        Array.from({ length: 5 }, () => store.consumeApproval("approval-race", binding, clock())),
      );
      expect(spent.filter((result) => result === "consumed")).toHaveLength(1);
      expect(spent.filter((result) => result === "already_consumed")).toHaveLength(4);
      expect(await store.consumeApproval("nope", binding, clock())).toBe("unknown");
    });

    it("appends, queries with filters and cursor pagination, and verifies the ledger", async () => {
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
      const seqs = appended.map((record) => record.seq);
      expect(seqs).toEqual(Array.from({ length: 25 }, (_, index) => (seqs[0] as number) + index));
      const concurrent = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          store.append([
            {
              entry: {
                kind: "outcome",
                time: base + 100 + index,
                outcome: "ok",
                callId: `c-${index}`,
              },
            },
          ]),
        ),
      );
      expect(new Set(concurrent.map(([record]) => `${record?.chainId}:${record?.seq}`)).size).toBe(
        20,
      );

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

    it("erases a payload and still verifies the chain", async () => {
      const g = await guard();
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

    it("administers users, roles, agents, keys and tenants with clear errors", async () => {
      await store.putTenant("acme");
      expect((await store.listTenants()).map((tenant) => tenant.id)).toEqual(["acme"]);
      const dave = await store.putUser({
        id: "dave",
        tenant: "acme",
        permissions: [{ action: "docs.read" }],
      });
      expect(dave).toMatchObject({ id: "dave", tenant: "acme", roles: [] });
      expect((await store.listUsers({ tenant: "acme" })).map((user) => user.id)).toEqual(["dave"]);
      expect((await store.listUsers()).map((user) => user.id)).toEqual(["alice", "dave"]);
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
      expect((await store.listAgents({ tenant: "acme" })).map((listed) => listed.id)).toEqual([
        "helper",
      ]);

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
      expect(jsonl).toEqual(rows);
      const validate = createOcsfValidator();
      const ocsf = (await drain(store.exportLedger("ocsf"))).map((line) => {
        expect(line.endsWith("\n")).toBe(true);
        return JSON.parse(line) as Record<string, unknown> & {
          status_id: number;
          unmapped: { writ: { kind: string } };
        };
      });
      expect(ocsf).toHaveLength(rows.length);
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
      expect(ecs).toHaveLength(rows.filter((row) => row.kind === "decision").length);
      await expect(
        store
          .exportLedger("csv" as "jsonl")
          [Symbol.asyncIterator]()
          .next(),
      ).rejects.toThrow(TypeError);
    });

    it("fails closed when the decision cannot be recorded", async () => {
      const g = await guard();
      const { root } = await chain();
      await store.close();
      const decision = await g.authorize(
        g.callFrom(root, { action: "docs.read", tool: "read_doc", args: {} }),
      );
      expect(decision).toMatchObject({ effect: "deny", code: "ledger.unavailable" });
      expect(decision.eventId).toBeUndefined();
      await expect(
        store.append([{ entry: { kind: "admin", time: clock() } }]),
      ).rejects.toBeInstanceOf(WritError);
    });
  });
}
