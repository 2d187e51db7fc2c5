import type { DecisionCode } from "./decision.js";

interface DescribedFacts {
  readonly code: DecisionCode;
  readonly action: string;
  readonly path?: string;
  readonly decidedBy?: string;
}

/**
 * The one place decisions become words. Messages go to models, so they name
 * the action, argument path and agent, never tokens, keys or argument values,
 * and never the bounds a model could game.
 */
export function describeDecision(facts: DescribedFacts): string {
  const { code, action } = facts;
  const by = facts.decidedBy ? ` (decided by the authority given to ${facts.decidedBy})` : "";
  switch (code) {
    case "granted":
      return `Allowed: ${action}.`;
    case "approval.granted":
      return `Allowed with a human approval: ${action}.`;
    case "approval.required":
      return `${action} needs a human approval before it can run. The request is pending; do not retry until it is decided.`;
    case "grant.action_not_granted":
      return `Denied: this agent is not authorized to perform ${action}${by}. Do not retry; tell the user it is not allowed.`;
    case "grant.condition_failed":
      return `Denied: the argument "${facts.path ?? "?"}" is outside what this agent may do for ${action}${by}. Do not retry with other values to get around this; tell the user.`;
    case "grant.set_unavailable":
      return `Denied: Writ could not check "${facts.path ?? "?"}" for ${action} right now. The call was not made.`;
    case "live.permission_denied":
      return `Denied: the user no longer has permission for ${action}.`;
    case "live.policy_denied":
      return `Denied: the policy of ${facts.decidedBy ?? "an agent in the chain"} no longer allows ${action}.`;
    case "approval.rejected":
      return `Denied: a human rejected ${action}. Do not retry.`;
    case "approval.pending":
      return `${action} is still waiting for a human approval.`;
    case "live.stale":
    case "live.unavailable":
    case "ledger.unavailable":
    case "guard.internal":
      return `Denied: the authorization service is unavailable, so ${action} was not run. Try again later.`;
  }
  if (code.startsWith("revoked."))
    return `Denied: the authority for ${action} has been revoked. Do not retry.`;
  if (code === "writ.expired" || code === "proof.expired") {
    return `Denied: the authorization for ${action} has expired.`;
  }
  if (code.startsWith("approval."))
    return `Denied: the approval for ${action} is not valid for this call.`;
  return `Denied: the call to ${action} did not carry valid authorization (${code}).`;
}
