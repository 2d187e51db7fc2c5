import type { LedgerRecord } from "@writ/core";
import { createTestWorld, fixedClock, seededRandom } from "@writ/core/testing";
import { sqliteTestBackend } from "../../../test/support/sqlite-test-backend.js";

export const PERMISSIONS = [
  "refunds.approve(amount < 1000)",
  "refunds.approve(amount < 10000) needs approval",
  "refunds.delegate",
  "orders.lookup",
].join("; ");

/**
 * User alice, a support agent that may refund and delegate, a refund worker
 * it delegates to, and a guard on a fixed clock over the test backend.
 */
export async function createWorld() {
  const clock = fixedClock(Date.UTC(2026, 0, 1, 9, 0, 0));
  const random = seededRandom("ai-sdk");
  const world = await createTestWorld({
    backend: await sqliteTestBackend({ clock, random }),
    clock,
    random,
    issuer: "writ:ai-sdk-test",
    audience: "urn:writ:ai-sdk-test",
    user: { id: "alice", permissions: PERMISSIONS },
    agents: { support: "refunds.*; orders.lookup", "refund-worker": "refunds.approve" },
  });
  return {
    backend: world.backend,
    guard: world.guard,
    worker: world.agents["refund-worker"],
    session: world.session("support"),
    rows: (kinds: readonly LedgerRecord["kind"][] = ["decision", "approval", "outcome"]) =>
      world.rows(kinds),
  };
}

/** A ledger row in a form tests can compare: kind, decision or outcome, reason. */
export function summary(row: LedgerRecord): string {
  return [row.kind, row.decision ?? row.outcome, row.reason].filter(Boolean).join(":");
}
