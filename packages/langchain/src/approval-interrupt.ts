import type { ApprovalRequiredDecision } from "@writ/core";
import { z } from "zod/v4";

/**
 * The value a guarded call interrupts the graph with when a human must
 * approve it. `actionRequests` and `reviewConfigs` have the shape of
 * langchain's humanInTheLoopMiddleware (HITLRequest), so existing approval
 * UIs show it; `writ` adds what the guard bound the approval to.
 */
export interface WritApprovalRequest {
  actionRequests: { name: string; args: Record<string, unknown>; description: string }[];
  reviewConfigs: { actionName: string; allowedDecisions: ("approve" | "reject")[] }[];
  writ: {
    approvalId: string;
    callId: string;
    action: string;
    user?: string;
    agent?: string;
    /** Agent ids root→leaf. */
    chain?: string[];
  };
}

const RESUME_SHAPE =
  'Resume with new Command({ resume: { decisions: [{ type: "approve" }] } }) or [{ type: "reject", message? }], one decision, "by" optional. "edit" is not supported: an approval covers exactly the arguments it was requested for.';

const reviewer = z.string().min(1).optional();

/**
 * A reviewer's answer, shaped as humanInTheLoopMiddleware's HITLResponse with
 * one decision. `by` names the reviewer in the ledger. There is no "edit": an
 * approval covers exactly the arguments it was requested for. LangGraph
 * rejects a resume that does not match and the interrupt can be answered again.
 */
export const writApprovalResponseSchema = z.object(
  {
    decisions: z.tuple(
      [
        z.discriminatedUnion(
          "type",
          [
            z.object({ type: z.literal("approve"), by: reviewer }),
            z.object({ type: z.literal("reject"), message: z.string().optional(), by: reviewer }),
          ],
          { error: RESUME_SHAPE },
        ),
      ],
      { error: RESUME_SHAPE },
    ),
  },
  { error: RESUME_SHAPE },
);

export type WritApprovalResponse = z.input<typeof writApprovalResponseSchema>;
export type WritApprovalDecision = WritApprovalResponse["decisions"][0];

export function approvalRequest(
  decision: ApprovalRequiredDecision,
  tool: string,
  args: Record<string, unknown>,
): WritApprovalRequest {
  const { approvalId, callId, action, user, agent, chain } = decision;
  const onBehalf = agent && user ? ` by agent ${agent} for user ${user}` : "";
  return {
    actionRequests: [
      {
        name: tool,
        args,
        description: `Writ approval required: ${action}${onBehalf} (approval ${approvalId}).`,
      },
    ],
    reviewConfigs: [{ actionName: tool, allowedDecisions: ["approve", "reject"] }],
    writ: {
      approvalId,
      callId,
      action,
      ...(user === undefined ? {} : { user }),
      ...(agent === undefined ? {} : { agent }),
      ...(chain === undefined ? {} : { chain: [...chain] }),
    },
  };
}
