import {
  type AgentIdentity,
  type Backend,
  createAgentIdentity,
  createGuard,
  type Guard,
  IssuerKeySet,
  issueWrit,
  type LedgerRecord,
  Session,
} from "@writ/core";
import { fixedClock, overrideBackend, seededRandom } from "@writ/core/testing";
import { sqliteTestBackend } from "../../../test/support/sqlite-test-backend.js";

export const PERMISSIONS = [
  "refunds.approve(amount < 1000)",
  "refunds.approve(amount < 10000) needs approval",
  "refunds.delegate",
  "orders.lookup",
].join("; ");

/**
 * User alice, a support agent that may refund and delegate, a refund worker
 * it delegates to, and a guard on a fixed clock over the test backend (with
 * `faults` in place of some of its methods).
 */
export async function createWorld(faults: Partial<Backend> = {}) {
  const clock = fixedClock(Date.UTC(2026, 0, 1, 9, 0, 0));
  const random = seededRandom("ai-sdk");
  const backend = await sqliteTestBackend({ clock, random });
  const issuer = IssuerKeySet.generate("writ:ai-sdk-test");
  const support = createAgentIdentity("support");
  const worker = createAgentIdentity("refund-worker");
  await backend.putUser({ id: "alice", permissions: PERMISSIONS });
  await backend.putAgent({
    id: "support",
    policy: "refunds.*; orders.lookup",
    keys: [support],
  });
  await backend.putAgent({ id: "refund-worker", policy: "refunds.approve", keys: [worker] });
  const guard: Guard = await createGuard({
    backend: overrideBackend(backend, faults),
    issuer,
    audience: "urn:writ:ai-sdk-test",
    clock,
    random,
  });
  const sessionFor = (agent: AgentIdentity = support, policy = "refunds.*; orders.lookup") =>
    new Session(
      agent,
      issueWrit({
        issuer,
        user: { id: "alice", permissions: PERMISSIONS },
        agent: { ...agent, policy },
        clock,
        random,
      }),
      { clock, random },
    );
  const rows = async (
    kinds: readonly LedgerRecord["kind"][] = ["decision", "approval", "outcome"],
  ) => (await backend.ledger()).filter((row) => kinds.includes(row.kind));
  return { clock, backend, guard, support, worker, session: sessionFor(), sessionFor, rows };
}

/** A ledger row in a form tests can compare: kind, decision or outcome, reason. */
export function summary(row: LedgerRecord): string {
  return [row.kind, row.decision ?? row.outcome, row.reason].filter(Boolean).join(":");
}
