import type { ApprovalRequiredDecision, DecisionCode, DenyDecision } from "@writ/core";

/** What a guarded tool returns instead of running, with `denial: "result"`. */
export interface WritDenial {
  readonly denied: true;
  /** The decision's stable code, e.g. `grant.condition_failed`. */
  readonly code: DecisionCode;
  /** The decision's model-safe message: no tokens, keys or argument values. */
  readonly reason: string;
}

/** Whether a tool output is a Writ denial (outputs read back from stored messages included). */
export function isWritDenial(value: unknown): value is WritDenial {
  if (typeof value !== "object" || value === null) return false;
  const { denied, code, reason } = value as Record<string, unknown>;
  return (
    denied === true &&
    typeof code === "string" &&
    typeof reason === "string" &&
    Object.keys(value).length === 3
  );
}

export function toWritDenial(decision: DenyDecision | ApprovalRequiredDecision): WritDenial {
  return { denied: true, code: decision.code, reason: decision.message };
}
