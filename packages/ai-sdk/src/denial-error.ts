import { type ApprovalRequiredDecision, type DenyDecision, WritError } from "@writ/core";

/**
 * The error a guarded tool throws when the guard refuses a call. The SDK
 * sends its message to the model as the tool's error, so the message is the
 * decision's model-safe one; the details name where it was decided, never
 * argument values.
 */
export function denialError(decision: DenyDecision | ApprovalRequiredDecision): WritError {
  return new WritError(decision.code, decision.message, {
    action: decision.action,
    ...(decision.hop === undefined ? {} : { hop: decision.hop }),
    ...(decision.decidedBy === undefined ? {} : { agent: decision.decidedBy }),
    ...(decision.grant === undefined ? {} : { grant: decision.grant }),
    ...(decision.path === undefined ? {} : { path: decision.path }),
    ...(decision.operator === undefined ? {} : { operator: decision.operator }),
    ...(decision.approvalId === undefined ? {} : { approvalId: decision.approvalId }),
    ...(decision.eventId === undefined ? {} : { eventId: decision.eventId }),
  });
}
