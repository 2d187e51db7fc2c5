import type { AgentIdentity, Guard, LedgerRecord, Session } from "@writ/core";
import { createTestWorld, type TestBackend } from "@writ/core/testing";
import { tool } from "langchain";
import { z } from "zod";
import { sqliteTestBackend } from "../../../test/support/sqlite-test-backend.js";

export const PERMISSIONS =
  "refunds.approve(amount < 1000); refunds.approve(amount >= 1000, amount < 10000) needs approval; email.send; tasks.delegate";
const PLANNER_POLICY = "refunds.*; email.send; tasks.delegate";

export interface World {
  readonly backend: TestBackend;
  readonly guard: Guard;
  /** The planner's session: the root hop, for user alice. */
  readonly session: Session;
  readonly worker: AgentIdentity;
  readonly subworker: AgentIdentity;
  /** Ledger rows of the kinds a tool call produces, oldest first. */
  calls(): Promise<readonly LedgerRecord[]>;
}

/** A user, three agents, a guard and the planner's session, on the test backend. */
export async function createWorld(): Promise<World> {
  const world = await createTestWorld({
    backend: await sqliteTestBackend(),
    issuer: "writ:langchain-test",
    audience: "urn:writ:test:langchain",
    user: { id: "alice", permissions: PERMISSIONS },
    agents: {
      planner: PLANNER_POLICY,
      worker: PLANNER_POLICY,
      subworker: "refunds.approve; email.send",
    },
  });
  return {
    backend: world.backend,
    guard: world.guard,
    session: world.session("planner"),
    worker: world.agents.worker,
    subworker: world.agents.subworker,
    calls: () => world.rows(["decision", "outcome", "approval"]),
  };
}

/** `approve_refund`, mapped to refunds.approve; its schema coerces, so conditions must see parsed numbers. */
export function refundTool(runs: number[]) {
  return tool(
    async ({ amount }) => {
      runs.push(amount);
      return `refunded ${amount}`;
    },
    {
      name: "approve_refund",
      description: "Approve a refund of `amount` cents.",
      schema: z.object({ amount: z.coerce.number() }),
    },
  );
}

export const REFUND_ACTIONS = { approve_refund: "refunds.approve" } as const;

/** One line per ledger row: kind, effect or outcome, reason, tool. */
export function summarize(rows: readonly LedgerRecord[]): string[] {
  return rows.map((row) =>
    [row.kind, row.decision ?? row.outcome, row.reason, row.callId].filter(Boolean).join(" "),
  );
}
