import type { GuardOptions } from "@writ/core";
import { createTestWorld, fixedClock, seededRandom } from "@writ/core/testing";

export const AUDIENCE = "urn:writ:test-guard";

/**
 * A small world: user alice, a planner → worker → sub-worker chain, an
 * in-memory backend and a guard on a fixed clock.
 */
export async function createWorld(options: Partial<GuardOptions> = {}) {
  const clock = fixedClock(Date.UTC(2026, 0, 1, 9, 0, 0));
  const world = await createTestWorld({
    clock,
    random: seededRandom("world"),
    audience: AUDIENCE,
    user: {
      id: "alice",
      permissions: "refunds.*(amount < 10000); email.send(to in @crm.contacts); docs.read",
    },
    agents: {
      planner: "refunds.*; email.send; docs.read",
      worker: "refunds.approve; email.send",
      "sub-worker": "refunds.approve",
    },
    guard: options,
  });
  const { planner, worker, "sub-worker": subWorker } = world.agents;
  return {
    ...world,
    clock,
    planner,
    worker,
    subWorker,
    plannerSession: () => world.session("planner"),
  };
}
