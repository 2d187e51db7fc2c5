import {
  type AgentIdentity,
  type Clock,
  createAgentIdentity,
  type Guard,
  issueWrit,
  type LedgerRecord,
  Session,
  WritError,
} from "@writ/core";
import { delegationRecords, LedgerChainVerifier, REVOCATION_KINDS } from "@writ/core/backend";
import {
  createTestWorld,
  fixedClock,
  seededRandom,
  type TestBackend,
  type TestWorld,
} from "@writ/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eventually } from "../support/eventually.js";
import { budgetContractSuite } from "./budget-contract-suite.js";

export interface BackendContractOptions {
  /** Opens a fresh, empty backend whose records are timed by `clock`. Closed by the suite. */
  readonly open: (clock: Clock) => TestBackend | Promise<TestBackend>;
}

type Agent = "planner" | "worker" | "reviewer";

/** Every row of every chain, in chain order, checked link by link; returns how many. */
function verifyChains(rows: readonly LedgerRecord[]): number {
  const verifier = new LedgerChainVerifier();
  const ordered = [...rows].sort((a, b) =>
    a.chainId === b.chainId ? a.seq - b.seq : a.chainId < b.chainId ? -1 : 1,
  );
  for (const row of ordered) expect(verifier.push(row)).toBeUndefined();
  return verifier.rows;
}

/**
 * The Backend contract (DESIGN §10), as a guard relies on it: the live feed,
 * the hash-chained ledger, the delegation graph and approvals. It speaks only
 * Backend and the few TestBackend calls that populate it, so it runs on every
 * backend: the memory backend, SQLite, PGlite, a real Postgres server and the
 * remote client. Stores' admin API has its own suite (store-admin-suite.ts).
 */
export function backendContractSuite(name: string, options: BackendContractOptions): void {
  budgetContractSuite(name, options);
  describe(`backend contract: ${name}`, () => {
    let clock: ReturnType<typeof fixedClock>;
    let world: TestWorld<Agent, TestBackend>;
    let backend: TestBackend;
    let guard: Guard;

    beforeEach(async () => {
      clock = fixedClock(Date.UTC(2026, 0, 1, 12));
      world = await createTestWorld({
        backend: await options.open(clock),
        clock,
        random: seededRandom("backend-contract"),
        audience: "urn:writ:test-guard",
        user: {
          id: "alice",
          permissions: "refunds.approve(amount < 10000); email.send; docs.read",
        },
        agents: {
          planner: "refunds.*; email.send; docs.read",
          worker: "refunds.approve; docs.read",
          reviewer: "docs.read",
        },
      });
      ({ backend, guard } = world);
    });

    afterEach(async () => {
      await guard.close();
      await backend.close();
    });

    /** A three-hop writ for alice: planner (root) → worker → reviewer. */
    function chain(): { root: Session; leaf: Session } {
      const root = world.session("planner");
      const middle = root.delegate(world.agents.worker, {
        grants: "refunds.approve(amount < 5000); docs.read",
      });
      return { root, leaf: middle.delegate(world.agents.reviewer, { grants: "docs.read" }) };
    }

    /** A root session for another user of the backend, issued by the world's issuer. */
    function rootSession(user: string, permissions: string, agent: AgentIdentity, policy: string) {
      return new Session(
        agent,
        issueWrit({
          issuer: world.issuer,
          user: { id: user, permissions },
          agent: { ...agent, policy },
          clock,
          random: seededRandom(`root-${user}`),
        }),
        { clock },
      );
    }

    const refund = (session: Session, amount: number, callId?: string) =>
      guard.callFrom(session, {
        action: "refunds.approve",
        tool: "approve_refund",
        args: { amount },
        ...(callId ? { callId } : {}),
      });

    const read = (session: Session) =>
      guard.authorize(guard.callFrom(session, { action: "docs.read", tool: "read_doc", args: {} }));

    it("allows and denies through a real guard, recording each decision in one hash chain", async () => {
      const workerSession = world
        .session("planner")
        .delegate(world.agents.worker, { grants: "refunds.approve(amount < 5000)" });
      const allowed = await guard.run(refund(workerSession, 120, "call-allow"), () => ({
        refunded: 120,
      }));
      expect(allowed.decision).toMatchObject({
        effect: "allow",
        code: "granted",
        user: "alice",
        agent: "worker",
      });
      expect(allowed.decision.eventId).toMatch(/^[0-9a-f-]{36}$/);
      expect(await guard.authorize(refund(workerSession, 6000, "call-deny"))).toMatchObject({
        effect: "deny",
        code: "grant.condition_failed",
        hop: 1,
        path: "amount",
      });
      expect(
        await guard.authorize(
          guard.callFrom(workerSession, { action: "email.send", tool: "send", args: {} }),
        ),
      ).toMatchObject({ effect: "deny", code: "grant.action_not_granted" });

      const rows = await backend.ledger();
      const allowRows = rows.filter((row) => row.callId === "call-allow");
      expect(allowRows.map((row) => row.kind)).toEqual(["decision", "outcome"]);
      expect(allowRows[0]).toMatchObject({
        id: allowed.decision.eventId,
        decision: "allow",
        reason: "granted",
        user: "alice",
        agent: "worker",
        tool: "approve_refund",
        chain: { agents: ["planner", "worker"] },
      });
      expect(allowRows[1]).toMatchObject({ outcome: "ok" });
      expect(rows.find((row) => row.callId === "call-deny")).toMatchObject({
        decision: "deny",
        reason: "grant.condition_failed",
      });
      expect(verifyChains(rows)).toBe(rows.length);
    });

    it("evaluates a three-hop writ with conditions on every hop", async () => {
      const { leaf } = chain();
      expect(leaf.writ.hops).toHaveLength(3);
      expect(
        await guard.authorize(
          guard.callFrom(leaf, { action: "docs.read", tool: "read_doc", args: { id: "d1" } }),
        ),
      ).toMatchObject({ effect: "allow", chain: ["planner", "worker", "reviewer"] });
      expect(await guard.authorize(refund(leaf, 10))).toMatchObject({
        effect: "deny",
        code: "grant.action_not_granted",
        hop: 2,
      });
    });

    it("applies permission and policy changes to writs already issued", async () => {
      const { root } = chain();
      const workerSession = root.delegate(world.agents.worker, {
        grants: "refunds.approve(amount < 5000)",
      });
      expect(await guard.authorize(refund(workerSession, 100))).toMatchObject({ effect: "allow" });
      await backend.putUser({
        id: "alice",
        permissions: "refunds.approve(amount < 50); docs.read",
      });
      await eventually(
        async () =>
          (await guard.authorize(refund(workerSession, 100))).code === "live.permission_denied",
        "narrowed permissions apply",
      );
      expect(await guard.authorize(refund(workerSession, 10))).toMatchObject({ effect: "allow" });
      await backend.putAgent({ id: "worker", policy: "docs.read", keys: [world.agents.worker] });
      await eventually(async () => {
        const decision = await guard.authorize(refund(workerSession, 10));
        return decision.code === "live.policy_denied" && decision.decidedBy === "worker";
      }, "a narrowed policy applies");
      await backend.removeAgent("worker");
      await eventually(
        async () =>
          (await guard.authorize(refund(workerSession, 10))).code === "live.agent_unknown",
        "a removed agent applies",
      );
    });

    it("enforces revocation of each kind in watching guards, and records each once", async () => {
      /** A user and three agents of its own per case, so one case's revocation cannot decide another's. */
      async function freshChain(suffix: string) {
        const agents = ["p", "w", "r"].map((role) => createAgentIdentity(`${role}-${suffix}`));
        const [p, w, r] = agents as [AgentIdentity, AgentIdentity, AgentIdentity];
        await backend.putUser({ id: `u-${suffix}`, permissions: "docs.read" });
        for (const agent of agents)
          await backend.putAgent({ id: agent.id, policy: "docs.read", keys: [agent] });
        const root = rootSession(`u-${suffix}`, "docs.read", p, "docs.read");
        const leaf = root.delegate(w, { grants: "docs.read" }).delegate(r, { grants: "docs.read" });
        await eventually(
          () => guard.canUse(leaf.writ.toString(), "docs.read"),
          "the new user and agents reach the guard",
        );
        return { leaf, user: `u-${suffix}`, worker: w, reviewer: r };
      }
      const cases = [
        { kind: "hop", code: "revoked.hop" },
        { kind: "agent", code: "revoked.agent" },
        { kind: "key", code: "revoked.key" },
        { kind: "user", code: "revoked.user" },
        { kind: "issuer_key", code: "revoked.issuer_key" },
      ] as const;
      // Every kind a guard enforces (API keys are the server's, tested with it).
      expect(cases.map((entry) => entry.kind).sort()).toEqual(
        REVOCATION_KINDS.filter((kind) => kind !== "api_key").sort(),
      );
      const revocations = [];
      for (const { kind, code } of cases) {
        const { leaf, user, worker, reviewer } = await freshChain(kind);
        const target = {
          hop: leaf.writ.hops[1]?.claims.jti as string,
          agent: reviewer.id,
          key: worker.thumbprint,
          user,
          issuer_key: world.issuer.active.kid,
        }[kind];
        expect(await read(leaf)).toMatchObject({ effect: "allow" });
        const revocation = await backend.revoke(kind, target, `test ${kind}`);
        expect(revocation).toMatchObject({ kind, id: target, reason: `test ${kind}` });
        revocations.push(revocation);
        await eventually(
          () => !guard.canUse(leaf.writ.toString(), "docs.read"),
          `a ${kind} revocation reaches the guard`,
        );
        expect(await read(leaf)).toMatchObject({ effect: "deny", code });
      }
      const seqs = revocations.map((revocation) => revocation.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(await backend.revoke("agent", "r-agent")).toEqual(revocations[1]);
      const rows = (await backend.ledger()).filter((row) => row.kind === "revocation");
      expect(rows.map((row) => [row.detail?.target, row.detail?.id])).toEqual(
        revocations.map((revocation) => [revocation.kind, revocation.id]),
      );
    });

    it("revokes a hop and, with it, everything delegated below it", async () => {
      const { root, leaf } = chain();
      const sibling = root.delegate(world.agents.reviewer, { grants: "docs.read" });
      expect(await read(leaf)).toMatchObject({ effect: "allow" });
      expect(await read(sibling)).toMatchObject({ effect: "allow" });
      await backend.revoke("hop", leaf.writ.hops[1]?.claims.jti as string);
      await eventually(
        () => !guard.canUse(leaf.writ.toString(), "docs.read"),
        "the hop revocation reaches the guard",
      );
      expect(await read(leaf)).toMatchObject({ effect: "deny", code: "revoked.hop", hop: 1 });
      expect(await read(sibling)).toMatchObject({ effect: "allow" });
    });

    it("records each hop once in the delegation graph, whoever reports it", async () => {
      const { root, leaf } = chain();
      const sibling = root.delegate(world.agents.reviewer, { grants: "docs.read" });
      await backend.recordDelegations(delegationRecords(leaf.writ));
      await backend.recordDelegations(delegationRecords(leaf.writ));
      for (const session of [leaf, sibling]) {
        expect(await read(session)).toMatchObject({ effect: "allow" });
      }
      const rows = (await backend.ledger()).filter((row) => row.kind === "delegation");
      expect(rows.map((row) => row.detail?.jti)).toEqual(
        [...leaf.writ.hops, sibling.writ.leaf].map((hop) => hop.claims.jti),
      );
      expect(rows.map((row) => [row.detail?.fromAgent, row.agent])).toEqual([
        [null, "planner"],
        ["planner", "worker"],
        ["worker", "reviewer"],
        ["planner", "reviewer"],
      ]);
    });

    it("runs approvals through the guard: request, idempotent re-request, decide, single-use consume", async () => {
      const carol =
        "refunds.approve(amount >= 1000) needs approval; refunds.approve(amount < 1000)";
      await backend.putUser({ id: "carol", permissions: carol });
      const session = rootSession("carol", carol, world.agents.planner, "refunds.*");
      await eventually(
        () => guard.canUse(session.writ.toString(), "refunds.approve"),
        "carol reaches the guard",
      );
      const first = await guard.authorize(refund(session, 2500, "call-big"));
      expect(first).toMatchObject({ effect: "approval_required", code: "approval.required" });
      const approvalId = first.approvalId as string;
      const again = await guard.authorize(refund(session, 2500, "call-big"));
      expect(again.approvalId).toBe(approvalId);
      const decisions = (await backend.ledger()).filter(
        (row) => row.callId === "call-big" && row.kind === "decision",
      );
      expect(decisions).toHaveLength(1);
      expect(await backend.getApproval(approvalId)).toMatchObject({
        status: "pending",
        user: "carol",
        agent: "planner",
        action: "refunds.approve",
        tool: "approve_refund",
      });
      const withApproval = (amount: number) =>
        guard.callFrom(session, {
          action: "refunds.approve",
          tool: "approve_refund",
          args: { amount },
          approvalId,
        });
      expect(await guard.authorize(withApproval(2500))).toMatchObject({
        effect: "approval_required",
        approvalId,
      });
      expect(await guard.authorize(withApproval(2600))).toMatchObject({
        effect: "deny",
        code: "approval.invalid",
      });

      const approved = await guard.decideApproval(approvalId, {
        approved: true,
        by: "manager",
        reason: "known customer",
      });
      expect(approved).toMatchObject({ status: "approved", decidedBy: "manager" });
      await expect(
        guard.decideApproval(approvalId, { approved: true, by: "manager" }),
      ).rejects.toMatchObject({ code: "approval.invalid" });
      expect(await guard.authorize(withApproval(2500))).toMatchObject({
        effect: "allow",
        code: "approval.granted",
      });
      expect(await guard.authorize(withApproval(2500))).toMatchObject({
        effect: "deny",
        code: "approval.consumed",
      });
      // A resumed call meets its request whatever its state: never a fresh request for a spent approval.
      expect(await guard.authorize(refund(session, 2500, "call-big"))).toMatchObject({
        effect: "deny",
        code: "approval.consumed",
        approvalId,
      });
      expect((await backend.getApproval(approvalId))?.status).toBe("consumed");
      expect((await backend.ledger()).find((row) => row.kind === "approval")).toMatchObject({
        callId: "call-big",
        decision: "allow",
        reason: "approval.granted",
        detail: { approvalId, by: "manager", reason: "known customer" },
      });

      const second = await guard.authorize(refund(session, 3000, "call-rejected"));
      await guard.decideApproval(second.approvalId as string, { approved: false, by: "manager" });
      expect(await guard.authorize(refund(session, 3000, "call-rejected"))).toMatchObject({
        effect: "deny",
        code: "approval.rejected",
        approvalId: second.approvalId,
      });
      // Each decision is recorded once, by the backend that stored it.
      expect(
        (await backend.ledger())
          .filter((row) => row.kind === "approval")
          .map((row) => `${row.callId} ${row.reason}`),
      ).toEqual(["call-big approval.granted", "call-rejected approval.rejected"]);

      const third = await guard.authorize(refund(session, 4000, "call-late"));
      clock.advance(2 * 3600 * 1000);
      await expect(
        guard.decideApproval(third.approvalId as string, { approved: true, by: "manager" }),
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
      expect((await backend.requestApproval(request)).created).toBe(true);
      expect(await backend.requestApproval({ ...request, id: "approval-race-2" })).toMatchObject({
        created: false,
        approval: { id: "approval-race" },
      });
      await backend.decideApproval("approval-race", { approved: true, by: "ops", at: clock() });
      const binding = { action: "refunds.approve", tool: "t", argsHash: "a", leafHash: "l" };
      // Bound to the tool too: another tool mapped to the same action cannot spend it.
      expect(
        await backend.consumeApproval(
          "approval-race",
          { ...binding, tool: "bulk_refund" },
          clock(),
        ),
      ).toBe("mismatch");
      const spent = await Promise.all(
        Array.from({ length: 5 }, () => backend.consumeApproval("approval-race", binding, clock())),
      );
      expect(spent.filter((result) => result === "consumed")).toHaveLength(1);
      expect(spent.filter((result) => result === "already_consumed")).toHaveLength(4);
      expect(await backend.consumeApproval("nope", binding, clock())).toBe("unknown");
    });

    it("appends rows in order to one hash chain, concurrent appends included", async () => {
      const base = clock();
      const appended = await backend.append(
        Array.from({ length: 25 }, (_, index) => ({
          entry: {
            kind: "decision" as const,
            time: base + index,
            user: "alice",
            decision: "allow" as const,
            callId: `bulk-${index}`,
            durationMs: 0.25,
            detail: { index, note: "é ✓" },
          },
        })),
      );
      expect(appended.map((record) => record.callId)).toEqual(
        Array.from({ length: 25 }, (_, index) => `bulk-${index}`),
      );
      const seqs = appended.map((record) => record.seq);
      expect(seqs).toEqual(Array.from({ length: 25 }, (_, index) => (seqs[0] as number) + index));
      const concurrent = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          backend.append([
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
      const rows = await backend.ledger();
      expect(rows.find((row) => row.callId === "bulk-7")).toEqual(appended[7]);
      expect(verifyChains(rows)).toBe(rows.length);
    });

    it("fails closed when the decision cannot be recorded", async () => {
      const { root } = chain();
      await backend.close();
      const decision = await read(root);
      expect(decision).toMatchObject({ effect: "deny", code: "ledger.unavailable" });
      expect(decision.eventId).toBeUndefined();
      await expect(
        backend.append([{ entry: { kind: "admin", time: clock() } }]),
      ).rejects.toBeInstanceOf(WritError);
    });
  });
}
