import {
  type AgentIdentity,
  createAgentIdentity,
  createGuard,
  type Guard,
  type GuardOptions,
  IssuerKeySet,
  issueWrit,
  Session,
} from "@writ/core";
import { fixedClock, MemoryBackend, seededRandom } from "@writ/core/testing";

export const AUDIENCE = "urn:writ:test-guard";

/**
 * A small world: user alice, a planner → worker → sub-worker chain, an
 * in-memory backend and a guard on a fixed clock.
 */
export async function createWorld(options: Partial<GuardOptions> = {}) {
  const clock = fixedClock(Date.UTC(2026, 0, 1, 9, 0, 0));
  const random = seededRandom("world");
  const issuer = IssuerKeySet.generate("writ:test");
  const planner = createAgentIdentity("planner");
  const worker = createAgentIdentity("worker");
  const subWorker = createAgentIdentity("sub-worker");
  const backend = new MemoryBackend({ clock, random });
  backend.putUser({
    id: "alice",
    permissions: "refunds.*(amount < 10000); email.send(to in @crm.contacts); docs.read",
  });
  backend.putAgent({ id: "planner", policy: "refunds.*; email.send; docs.read", keys: [planner] });
  backend.putAgent({ id: "worker", policy: "refunds.approve; email.send", keys: [worker] });
  backend.putAgent({ id: "sub-worker", policy: "refunds.approve", keys: [subWorker] });
  const guard: Guard = await createGuard({
    backend,
    issuer,
    audience: AUDIENCE,
    clock,
    random,
    ...options,
  });
  const plannerSession = (agent: AgentIdentity = planner) =>
    new Session(
      agent,
      issueWrit({
        issuer,
        user: { id: "alice", permissions: backend.user("alice")?.permissions ?? [] },
        agent: { ...agent, policy: backend.agent(agent.id)?.policy ?? [] },
        clock,
        random,
      }),
      { clock, random },
    );
  return { clock, random, issuer, planner, worker, subWorker, backend, guard, plannerSession };
}
