import {
  type Backend,
  type Budget,
  createAgentIdentity,
  createGuard,
  formatBudget,
  IssuerKeySet,
  issueWrit,
  parseGrants,
  Session,
} from "@writ/core";
import { fixedClock, MemoryBackend, overrideBackend, type TestBackend } from "@writ/core/testing";
import { sqliteBackend } from "@writ/store";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { storeTestBackend } from "../support/store-test-backend.js";

const START = Date.UTC(2026, 0, 1, 12);
const everything = parseGrants([{ action: "*" }]);

/** Alice, a planner and a worker registered in `store`, and a guard over `backend` (the store, or a wrapper of it). */
async function world(store: TestBackend, clock: () => number, backend: Backend = store) {
  const issuer = IssuerKeySet.generate("writ:property");
  const planner = createAgentIdentity("planner");
  const worker = createAgentIdentity("worker");
  await store.putUser({ id: "alice", permissions: "*" });
  await store.putAgent({ id: "planner", policy: "*", keys: [planner] });
  await store.putAgent({ id: "worker", policy: "*", keys: [worker] });
  const guard = await createGuard({ backend, issuer, audience: "urn:writ:property", clock });
  const root = (grants: string) =>
    new Session(
      planner,
      issueWrit({
        issuer,
        user: { id: "alice", permissions: everything },
        agent: { ...planner, policy: everything },
        grants,
        clock,
      }),
      { clock },
    );
  return { guard, root, worker };
}

const budget: fc.Arbitrary<Budget> = fc.record({
  measure: fc.constant("sum" as const),
  path: fc.constant("amount"),
  max: fc.integer({ min: 0, max: 120 }),
  per: fc.constantFrom("1m", "5m", "1h"),
});

const WINDOW_MS: Readonly<Record<string, number>> = {
  "1m": 60_000,
  "5m": 300_000,
  "1h": 3_600_000,
};

describe("budgets under any interleaving", () => {
  for (const [name, open] of [
    [
      "MemoryBackend",
      async (clock: () => number): Promise<TestBackend> => new MemoryBackend({ clock }),
    ],
    [
      "SQLite",
      async (clock: () => number): Promise<TestBackend> =>
        storeTestBackend(await sqliteBackend({ path: ":memory:", clock })),
    ],
  ] as const) {
    it(`never lets the calls that ran exceed a budget, however reservations and releases interleave (${name})`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          fc.integer({ min: 0, max: 100 }),
          fc.array(fc.record({ amount: fc.integer({ min: 0, max: 40 }), fails: fc.boolean() }), {
            minLength: 1,
            maxLength: 16,
          }),
          async (scheduler, max, calls) => {
            const clock = fixedClock(START);
            const inner = await open(clock);
            // Every reservation and release completes when the scheduler says so.
            const backend = overrideBackend(inner, {
              reserveBudgets: scheduler.scheduleFunction((request) =>
                inner.reserveBudgets(request),
              ),
              releaseBudgets: scheduler.scheduleFunction((id, callId) =>
                inner.releaseBudgets(id, callId),
              ),
            });
            const { guard, root } = await world(inner, clock, backend);
            const session = root(`refunds.approve within sum(amount) <= ${max} per 1d`);
            const runs = calls.map(({ amount, fails }) =>
              guard
                .run(
                  guard.callFrom(session, {
                    action: "refunds.approve",
                    tool: "t",
                    args: { amount },
                  }),
                  () => {
                    if (fails) throw new Error("tool failed");
                    return amount;
                  },
                )
                .then(
                  (run) => ("output" in run ? run.output : 0),
                  () => 0,
                ),
            );
            await scheduler.waitFor(Promise.all(runs));
            const spent = (await Promise.all(runs)).reduce((sum, amount) => sum + amount, 0);
            expect(spent).toBeLessThanOrEqual(max);
            await guard.close();
            await inner.close();
          },
        ),
        { numRuns: name === "SQLite" ? 30 : 100 },
      );
    });
  }
});

describe("budgets through delegation", () => {
  it("a narrower child never spends more than its parent allows, nor more than its own budget", async () => {
    await fc.assert(
      fc.asyncProperty(
        budget,
        budget,
        fc.array(
          fc.record({
            byChild: fc.boolean(),
            amount: fc.integer({ min: 0, max: 60 }),
            wait: fc.integer({ min: 0, max: 90_000 }),
          }),
          { minLength: 1, maxLength: 24 },
        ),
        async (parentBudget, childBudget, calls) => {
          const clock = fixedClock(START);
          const backend = new MemoryBackend({ clock });
          const { guard, root, worker } = await world(backend, clock);
          const parent = root(`refunds.approve within ${formatBudget(parentBudget)}`);
          let child: Session;
          try {
            child = parent.delegate(worker, {
              grants: `refunds.approve within ${formatBudget(childBudget)}`,
            });
          } catch (error) {
            // delegate() refuses only a child budget wider than its parent's.
            expect(error).toMatchObject({ code: "delegation.broadens" });
            expect(WINDOW_MS[childBudget.per]).toBeLessThanOrEqual(
              WINDOW_MS[parentBudget.per] as number,
            );
            expect(childBudget.max).toBeGreaterThan(parentBudget.max);
            return;
          }
          const parentSpent = new Map<number, number>();
          const childSpent = new Map<number, number>();
          const add = (spent: Map<number, number>, per: string, amount: number) => {
            const window = Math.floor(clock() / (WINDOW_MS[per] as number));
            spent.set(window, (spent.get(window) ?? 0) + amount);
          };
          for (const { byChild, amount, wait } of calls) {
            clock.advance(wait / 10);
            const decision = await guard.authorize(
              guard.callFrom(byChild ? child : parent, {
                action: "refunds.approve",
                tool: "t",
                args: { amount },
              }),
            );
            if (decision.effect !== "allow") {
              expect(decision.code).toBe("budget.exceeded");
              continue;
            }
            add(parentSpent, parentBudget.per, amount);
            if (byChild) add(childSpent, childBudget.per, amount);
          }
          for (const spent of parentSpent.values())
            expect(spent).toBeLessThanOrEqual(parentBudget.max);
          for (const spent of childSpent.values()) {
            expect(spent).toBeLessThanOrEqual(childBudget.max);
          }
          await guard.close();
        },
      ),
      { numRuns: 150 },
    );
  });
});
