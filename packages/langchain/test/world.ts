import {
  type AgentIdentity,
  createAgentIdentity,
  createGuard,
  type Guard,
  IssuerKeySet,
  issueWrit,
  type LedgerRecord,
  Session,
} from "@writ/core";
import { tool } from "langchain";
import { z } from "zod";
import type { ConformanceBackend } from "../../../test/adapters/adapter-conformance.js";
import { sqliteConformanceBackend } from "../../../test/adapters/sqlite-conformance-backend.js";

export const PERMISSIONS =
  "refunds.approve(amount < 1000); refunds.approve(amount >= 1000, amount < 10000) needs approval; email.send; tasks.delegate";
const PLANNER_POLICY = "refunds.*; email.send; tasks.delegate";

export interface World {
  readonly backend: ConformanceBackend;
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
  const backend = await sqliteConformanceBackend();
  const issuer = IssuerKeySet.generate("writ:langchain-test");
  const planner = createAgentIdentity("planner");
  const worker = createAgentIdentity("worker");
  const subworker = createAgentIdentity("subworker");
  await backend.putUser({ id: "alice", permissions: PERMISSIONS });
  await backend.putAgent({ id: "planner", policy: PLANNER_POLICY, keys: [planner] });
  await backend.putAgent({ id: "worker", policy: PLANNER_POLICY, keys: [worker] });
  await backend.putAgent({
    id: "subworker",
    policy: "refunds.approve; email.send",
    keys: [subworker],
  });
  const guard = await createGuard({ backend, issuer, audience: "urn:writ:test:langchain" });
  const session = new Session(
    planner,
    issueWrit({
      issuer,
      user: { id: "alice", permissions: PERMISSIONS },
      agent: { ...planner, policy: PLANNER_POLICY },
    }),
  );
  return {
    backend,
    guard,
    session,
    worker,
    subworker,
    calls: async () =>
      (await backend.ledger()).filter((row) =>
        ["decision", "outcome", "approval"].includes(row.kind),
      ),
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
