import type { BudgetCharge } from "../backend/budget-reservation.js";
import type { WritErrorCode, WritErrorDetails } from "../errors.js";
import type { VerifiedWrit } from "../writ/verify-writ.js";
import type { Call } from "./call.js";
import type { Decision, DecisionCode, DenyDecision } from "./decision.js";
import { describeDecision } from "./describe-decision.js";

/** Facts gathered while deciding, carried into the decision and its ledger row. */
export interface DecisionContext {
  readonly call: Call;
  readonly started: number;
  verified?: VerifiedWrit;
  argsHash?: string;
  /** The size of the arguments' canonical JSON, in bytes. */
  argsBytes?: number;
  /** A resumed run asked again for an approval already requested and recorded. */
  alreadyRecorded?: boolean;
  /** An allowed call's budgets, reserved as its decision is recorded. */
  charges?: readonly BudgetCharge[];
  /** Deciding ahead of a run (preflight): nothing may be spent. */
  readonly preflight?: boolean;
}

type DecisionFactsInput = Partial<
  Pick<DenyDecision, "hop" | "decidedBy" | "grant" | "path" | "operator" | "budget">
> & {
  readonly approvalId?: string;
};

/** The decision on the context's call: who it runs for, what decided, in the model-safe words of describeDecision. */
export function decisionFor(
  context: DecisionContext,
  effect: Decision["effect"],
  code: DecisionCode,
  facts: DecisionFactsInput = {},
): Decision {
  const { call, verified } = context;
  const decidedBy =
    facts.decidedBy ?? (facts.hop === undefined ? undefined : verified?.agents[facts.hop]);
  return {
    effect,
    code,
    message: describeDecision({
      code,
      action: call.action,
      ...(facts.path ? { path: facts.path } : {}),
      ...(decidedBy ? { decidedBy } : {}),
    }),
    callId: call.callId,
    action: call.action,
    tool: call.tool,
    ...(verified
      ? {
          user: verified.user,
          agent: verified.leaf.claims.aud,
          chain: verified.agents,
          hops: verified.jtis,
          ...(verified.tenant === undefined ? {} : { tenant: verified.tenant }),
        }
      : {}),
    ...facts,
    ...(decidedBy ? { decidedBy } : {}),
  } as Decision;
}

/** A deny with `code`, keeping from an error's details only where it was decided (never values). */
export function denialFor(
  context: DecisionContext,
  code: WritErrorCode,
  details: WritErrorDetails,
): DenyDecision {
  return decisionFor(context, "deny", code, {
    ...(typeof details.hop === "number" ? { hop: details.hop } : {}),
    ...(typeof details.agent === "string" ? { decidedBy: details.agent } : {}),
    ...(typeof details.grant === "number" ? { grant: details.grant } : {}),
    ...(typeof details.path === "string" ? { path: details.path } : {}),
    ...(typeof details.operator === "string" ? { operator: details.operator } : {}),
    ...(typeof details.approvalId === "string" ? { approvalId: details.approvalId } : {}),
  }) as DenyDecision;
}
