import { WritError } from "./errors.js";

/**
 * What an approval is bound to: it can only release this exact call (the
 * tool, not only its action: two tools may map to one action) under this
 * exact leaf hop.
 */
export interface ApprovalBinding {
  readonly action: string;
  readonly tool: string;
  /** `ahs` of the call's arguments. */
  readonly argsHash: string;
  /** Hash of the leaf hop the call was made under. */
  readonly leafHash: string;
}

export type ApprovalStatus = "pending" | "approved" | "rejected" | "consumed" | "expired";

export interface ApprovalRequest extends ApprovalBinding {
  readonly id: string;
  readonly callId: string;
  readonly user: string;
  readonly agent: string;
  readonly tenant?: string | undefined;
  /** Agent ids root→leaf, for the person deciding. */
  readonly chain: readonly string[];
  /** Epoch ms. */
  readonly requestedAt: number;
  readonly expiresAt: number;
}

export interface Approval extends ApprovalRequest {
  readonly status: ApprovalStatus;
  readonly decidedBy?: string;
  readonly decidedAt?: number;
  readonly reason?: string;
}

export interface ApprovalDecisionInput {
  readonly approved: boolean;
  /** Who decided (a user id or operator name). */
  readonly by: string;
  readonly reason?: string;
  /** Epoch ms. */
  readonly at: number;
}

/** The result of spending an approval; only "consumed" releases the call. */
export type ApprovalConsumption =
  | "consumed"
  | "pending"
  | "rejected"
  | "already_consumed"
  | "expired"
  | "mismatch"
  | "unknown";

function bindingMatches(approval: ApprovalBinding, binding: ApprovalBinding): boolean {
  return (
    approval.action === binding.action &&
    approval.tool === binding.tool &&
    approval.argsHash === binding.argsHash &&
    approval.leafHash === binding.leafHash
  );
}

/**
 * The approval state machine every backend runs atomically: what spending
 * `approval` for `binding` at `at` yields. Only "consumed" releases the call,
 * and the backend then marks the approval consumed.
 */
export function spendApproval(
  approval: Approval | undefined,
  binding: ApprovalBinding,
  at: number,
): ApprovalConsumption {
  if (!approval) return "unknown";
  if (!bindingMatches(approval, binding)) return "mismatch";
  if (approval.status === "consumed") return "already_consumed";
  if (approval.status === "rejected") return "rejected";
  if (approval.status === "expired" || at > approval.expiresAt) return "expired";
  return approval.status === "approved" ? "consumed" : "pending";
}

/** The approval after a human's decision; throws when it can no longer be decided. */
export function applyApprovalDecision(
  approval: Approval | undefined,
  id: string,
  decision: ApprovalDecisionInput,
): Approval {
  if (!approval)
    throw new WritError("approval.invalid", `No approval request "${id}".`, { approvalId: id });
  if (approval.status !== "pending") {
    throw new WritError(
      "approval.invalid",
      `Approval request "${id}" is already ${approval.status}.`,
      { approvalId: id },
    );
  }
  if (decision.at > approval.expiresAt) {
    throw new WritError(
      "approval.expired",
      `Approval request "${id}" expired before it was decided.`,
      { approvalId: id },
    );
  }
  return {
    ...approval,
    status: decision.approved ? "approved" : "rejected",
    decidedBy: decision.by,
    decidedAt: decision.at,
    ...(decision.reason === undefined ? {} : { reason: decision.reason }),
  };
}
