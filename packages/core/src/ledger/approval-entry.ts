import type { Approval, ApprovalDecisionInput } from "../approval.js";
import type { LedgerEntry } from "./ledger-record.js";

/**
 * The ledger row that records a decision on an approval request, bound to
 * the call it releases or refuses: the same row whether a guard or the
 * store's admin API decided.
 */
export function approvalEntry(approval: Approval, decision: ApprovalDecisionInput): LedgerEntry {
  return {
    kind: "approval",
    time: decision.at,
    tenant: approval.tenant,
    callId: approval.callId,
    user: approval.user,
    agent: approval.agent,
    action: approval.action,
    tool: approval.tool,
    decision: decision.approved ? "allow" : "deny",
    reason: decision.approved ? "approval.granted" : "approval.rejected",
    // Ledger rows hold hex hashes; an approval holds the proof's base64url one.
    inputHash: Buffer.from(approval.argsHash, "base64url").toString("hex"),
    detail: {
      approvalId: approval.id,
      by: decision.by,
      ...(decision.reason ? { reason: decision.reason } : {}),
    },
  };
}
