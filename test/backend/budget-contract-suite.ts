import {
  type AllowDecision,
  type Clock,
  type Decision,
  type Guard,
  issueWrit,
  Session,
} from "@writ/core";
import {
  createTestWorld,
  fixedClock,
  seededRandom,
  type TestBackend,
  type TestWorld,
} from "@writ/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eventually } from "../support/eventually.js";

export interface BudgetContractOptions {
  /** Opens a fresh, empty backend whose records are timed by `clock`. Closed by the suite. */
  readonly open: (clock: Clock) => TestBackend | Promise<TestBackend>;
}

type Agent = "planner" | "worker" | "helper";

/**
 * Budgets as a guard relies on its backend for them (DESIGN §7b): every
 * applicable budget reserved atomically before the tool runs, refused with
 * `budget.exceeded` naming the budget, released when the call fails or never
 * runs, counted per hop, per user and per agent, in fixed windows on the
 * backend's clock. Runs on every backend, through a real guard.
 */
export function budgetContractSuite(name: string, options: BudgetContractOptions): void {
  describe(`budget contract: ${name}`, () => {
    let clock: ReturnType<typeof fixedClock>;
    let world: TestWorld<Agent, TestBackend>;
    let backend: TestBackend;
    let guard: Guard;

    async function open(permissions: string, guardOptions: { countFailedCalls?: boolean } = {}) {
      clock = fixedClock(Date.UTC(2026, 0, 1, 12));
      world = await createTestWorld({
        backend: await options.open(clock),
        clock,
        random: seededRandom("budget-contract"),
        audience: "urn:writ:test-guard",
        user: { id: "alice", permissions },
        agents: {
          planner: "refunds.*; email.send",
          worker: "refunds.approve; email.send",
          helper: "refunds.approve; email.send",
        },
        guard: guardOptions,
      });
      ({ backend, guard } = world);
    }

    beforeEach(() => open("refunds.approve(amount < 10000); email.send"));

    afterEach(async () => {
      await guard.close();
      await backend.close();
    });

    const refund = (session: Session, amount: unknown) =>
      guard.authorize(
        guard.callFrom(session, { action: "refunds.approve", tool: "refund", args: { amount } }),
      );
    const email = (session: Session) =>
      guard.authorize(
        guard.callFrom(session, { action: "email.send", tool: "send", args: { to: "x" } }),
      );

    /** The planner holds a daily budget; the worker a per-call limit under it. */
    function budgetedChain() {
      const planner = world.session("planner").delegate(world.agents.planner, {
        grants: "refunds.approve(amount < 1000) within sum(amount) <= 500 per 1d",
      });
      const worker = planner.delegate(world.agents.worker, {
        grants: "refunds.approve(amount < 50)",
      });
      return { planner, worker };
    }

    it("stops a worker within its per-call limit at its chain's daily budget, naming the budget and what is left", async () => {
      const { planner, worker } = budgetedChain();
      for (let index = 0; index < 10; index++) {
        expect(await refund(worker, 49)).toMatchObject({ effect: "allow", code: "granted" });
      }
      const refused = await refund(worker, 49);
      expect(refused).toMatchObject({
        effect: "deny",
        code: "budget.exceeded",
        hop: 1,
        decidedBy: "planner",
        budget: {
          budget: "sum(amount) <= 500 per 1d",
          scope: "hop",
          subject: expect.any(String),
          remaining: 10,
          resetsAt: Date.UTC(2026, 0, 2),
        },
      });
      expect(refused.message).not.toMatch(/10|500/);
      // What is left still fits, and the holder itself spends from the same budget.
      expect(await refund(worker, 10)).toMatchObject({ effect: "allow" });
      expect(await refund(planner, 1)).toMatchObject({ effect: "deny", code: "budget.exceeded" });

      const rows = await world.rows(["decision"]);
      const allowed = rows.filter((row) => row.decision === "allow");
      expect(allowed).toHaveLength(11);
      const reservations = allowed.map((row) => row.detail?.budgetReservation);
      expect(new Set(reservations).size).toBe(11);
      expect(rows.filter((row) => row.reason === "budget.exceeded")).toHaveLength(2);
      expect(rows.find((row) => row.reason === "budget.exceeded")?.detail).toMatchObject({
        hop: 1,
        budget: "sum(amount) <= 500 per 1d",
        budgetScope: "hop",
        budgetRemaining: 10,
      });
    });

    it("counts in fixed windows on the backend's clock: a new window starts empty", async () => {
      await backend.putUser({
        id: "alice",
        permissions: "refunds.approve(amount < 10000) within sum(amount) <= 500 per 1d",
      });
      clock.set(Date.UTC(2026, 0, 1, 23, 50));
      const planner = world.session("planner");
      await eventually(async () => (await refund(planner, 250)).effect === "allow", "budget live");
      expect(await refund(planner, 250)).toMatchObject({ effect: "allow" });
      expect(await refund(planner, 1)).toMatchObject({
        code: "budget.exceeded",
        budget: { scope: "user", subject: "alice", resetsAt: Date.UTC(2026, 0, 2) },
      });
      clock.set(Date.UTC(2026, 0, 2, 0, 0));
      // A feed that is not synchronous is heard again before the guard trusts the moved clock.
      await eventually(async () => {
        const decision = await refund(planner, 500);
        expect(decision.code).not.toBe("budget.exceeded");
        return decision.effect === "allow";
      }, "a new window");
    });

    it("gives a failed call's reservation back, and a call that never ran, but counts what ran", async () => {
      const { planner: worker } = budgetedChain();
      const failing = guard.callFrom(worker, {
        action: "refunds.approve",
        tool: "refund",
        args: { amount: 400 },
      });
      await expect(
        guard.run(failing, () => {
          throw new Error("provider down");
        }),
      ).rejects.toThrow("provider down");
      const suspended = guard.callFrom(worker, {
        action: "refunds.approve",
        tool: "refund",
        args: { amount: 400 },
      });
      await expect(
        guard.run(
          suspended,
          () => {
            throw new Error("interrupt");
          },
          { suspends: (error) => (error as Error).message === "interrupt" },
        ),
      ).rejects.toThrow("interrupt");
      const ran = await guard.run(
        guard.callFrom(worker, {
          action: "refunds.approve",
          tool: "refund",
          args: { amount: 400 },
        }),
        () => "refunded",
      );
      expect(ran).toMatchObject({ output: "refunded" });
      expect(await refund(worker, 101)).toMatchObject({
        code: "budget.exceeded",
        budget: { remaining: 100 },
      });
      const outcomes = await world.rows(["outcome"]);
      expect(outcomes.map((row) => row.detail?.budgetReleased)).toEqual([true, false]);
    });

    it("counts failed calls when the guard is told to count attempts", async () => {
      await guard.close();
      await backend.close();
      await open("refunds.approve(amount < 10000); email.send", { countFailedCalls: true });
      const { planner: worker } = budgetedChain();
      await expect(
        guard.run(
          guard.callFrom(worker, {
            action: "refunds.approve",
            tool: "refund",
            args: { amount: 450 },
          }),
          () => {
            throw new Error("provider down");
          },
        ),
      ).rejects.toThrow();
      expect(await refund(worker, 51)).toMatchObject({ code: "budget.exceeded" });
    });

    it("charges a user's permission budget for every agent acting for the user, and applies a changed budget at once", async () => {
      await backend.putUser({
        id: "alice",
        permissions: "refunds.approve(amount < 10000); email.send within count <= 3 per 1h",
      });
      const planner = world.session("planner");
      const worker = planner.delegate(world.agents.worker, { grants: "email.send" });
      await eventually(async () => (await email(planner)).effect === "allow", "budget live");
      expect(await email(worker)).toMatchObject({ effect: "allow" });
      expect(await email(world.session("helper"))).toMatchObject({ effect: "allow" });
      expect(await email(worker)).toMatchObject({
        code: "budget.exceeded",
        budget: { scope: "user", subject: "alice", remaining: 0 },
      });
      await backend.putUser({
        id: "alice",
        permissions: "refunds.approve(amount < 10000); email.send within count <= 4 per 1h",
      });
      await eventually(async () => (await email(worker)).effect === "allow", "raised budget");
      expect(await email(worker)).toMatchObject({ code: "budget.exceeded" });
    });

    it("charges an agent's policy budget for its calls for every user, and for its delegates", async () => {
      await backend.putAgent({
        id: "worker",
        policy: "refunds.approve; email.send within count <= 2 per 1d",
        keys: [world.agents.worker],
      });
      await backend.putUser({ id: "bob", permissions: "email.send" });
      const forBob = new Session(
        world.agents.worker,
        issueWrit({
          issuer: world.issuer,
          user: { id: "bob", permissions: "email.send" },
          agent: { ...world.agents.worker, policy: "email.send" },
          clock,
          random: seededRandom("bob"),
        }),
        { clock },
      );
      await eventually(
        async () => (await email(world.session("worker"))).effect === "allow",
        "policy budget live",
      );
      expect(await email(forBob)).toMatchObject({ effect: "allow" });
      const delegate = world
        .session("worker")
        .delegate(world.agents.helper, { grants: "email.send" });
      expect(await email(delegate)).toMatchObject({
        code: "budget.exceeded",
        hop: 0,
        decidedBy: "worker",
        budget: { scope: "agent", subject: "worker" },
      });
      expect(await email(world.session("helper"))).toMatchObject({ effect: "allow" });
    });

    it("refuses a summed argument that is missing, negative or not a number, before anything is held", async () => {
      const { worker } = budgetedChain();
      for (const amount of [-5, "49", null]) {
        expect(await refund(worker, amount)).toMatchObject({ effect: "deny" });
      }
      const planner = world.session("planner").delegate(world.agents.worker, {
        grants: "refunds.approve(amount < 10000) within sum(amount) <= 500 per 1d",
      });
      expect(await refund(planner, -5)).toMatchObject({
        code: "budget.amount_invalid",
        hop: 1,
        path: "amount",
      });
      expect(await refund(planner, 500)).toMatchObject({ effect: "allow" });
    });

    it("reserves nothing in a preflight, and every charge or none", async () => {
      const planner = world.session("planner").delegate(world.agents.planner, {
        grants:
          "refunds.approve(amount < 10000) within count <= 5 per 1d, sum(amount) <= 100 per 1d",
      });
      const call = () =>
        guard.callFrom(planner, {
          action: "refunds.approve",
          tool: "refund",
          args: { amount: 60 },
        });
      expect(await guard.preflight(call())).toMatchObject({ effect: "allow" });
      expect((await guard.preflight(call())) as Decision).not.toHaveProperty("budgetReservation");
      expect(await guard.authorize(call())).toMatchObject({ effect: "allow" });
      // The sum refuses the second call: its count is not held either.
      expect(await guard.authorize(call())).toMatchObject({
        code: "budget.exceeded",
        budget: { budget: "sum(amount) <= 100 per 1d", remaining: 40 },
      });
      for (let index = 0; index < 4; index++) {
        expect(await refund(planner, 10)).toMatchObject({ effect: "allow" });
      }
      expect(await refund(planner, 0)).toMatchObject({
        code: "budget.exceeded",
        budget: { budget: "count <= 5 per 1d", remaining: 0 },
      });
    });

    it("releases what a reservation took once, however often it is released", async () => {
      const { planner, worker } = budgetedChain();
      expect(await refund(planner, 100)).toMatchObject({ effect: "allow" });
      const decision = (await refund(planner, 300)) as AllowDecision;
      expect(decision.budgetReservation).toEqual(expect.any(String));
      const id = decision.budgetReservation as string;
      await backend.releaseBudgets(id, "another-call");
      await backend.releaseBudgets(id, decision.callId);
      await backend.releaseBudgets(id, decision.callId);
      await backend.releaseBudgets("no-such-reservation", decision.callId);
      // The 100 still holds: 400 are left, eight calls of 49.
      for (let index = 0; index < 8; index++) {
        expect(await refund(worker, 49)).toMatchObject({ effect: "allow" });
      }
      expect(await refund(worker, 49)).toMatchObject({
        code: "budget.exceeded",
        budget: { remaining: 8 },
      });
    });

    it("releases nothing for a reservation named with another call", async () => {
      const { planner } = budgetedChain();
      const decision = (await refund(planner, 500)) as AllowDecision;
      const other = (await guard.authorize(
        guard.callFrom(planner, { action: "refunds.approve", tool: "refund", args: { amount: 0 } }),
      )) as AllowDecision;
      await backend.releaseBudgets(decision.budgetReservation as string, other.callId);
      await backend.releaseBudgets(other.budgetReservation as string, decision.callId);
      expect(await refund(planner, 1)).toMatchObject({
        code: "budget.exceeded",
        budget: { remaining: 0 },
      });
    });

    it("holds a budget exactly under concurrent calls", async () => {
      const { planner } = budgetedChain();
      const decisions = await Promise.all(
        Array.from({ length: 64 }, (_, index) => refund(planner, index % 2 === 0 ? 10 : 20)),
      );
      const spent = decisions
        .map((decision, index) => (decision.effect === "allow" ? (index % 2 === 0 ? 10 : 20) : 0))
        .reduce<number>((sum, amount) => sum + amount, 0);
      expect(spent).toBeLessThanOrEqual(500);
      expect(spent).toBeGreaterThanOrEqual(480);
      const refusals = decisions.filter((decision) => decision.effect === "deny");
      expect(refusals.every((decision) => decision.code === "budget.exceeded")).toBe(true);
    });
  });
}
