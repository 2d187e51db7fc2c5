import type { BudgetScope } from "../backend/budget-reservation.js";
import type { WritErrorCode } from "../errors.js";

export type DecisionCode = "granted" | "approval.granted" | "approval.required" | WritErrorCode;

interface DecisionFacts {
  /** Stable reason code. */
  readonly code: DecisionCode;
  /** Safe to show a model: no tokens, keys or argument values. */
  readonly message: string;
  readonly callId: string;
  readonly action: string;
  readonly tool: string;
  readonly user?: string;
  readonly tenant?: string;
  /** The leaf agent making the call. */
  readonly agent?: string;
  /** Agent ids root→leaf. */
  readonly chain?: readonly string[];
  /** Hop jtis root→leaf. */
  readonly hops?: readonly string[];
  /** The hop (0 = root) whose grants, key or revocation decided, where one did. */
  readonly hop?: number;
  /** The agent whose hop or policy decided, where one did. */
  readonly decidedBy?: string;
  readonly grant?: number;
  readonly path?: string;
  readonly operator?: string;
  /** The budget a `budget.exceeded` refusal is about. */
  readonly budget?: BudgetRefusal;
  /** The approval request this decision is about, if any. */
  readonly approvalId?: string;
  /** Id of the ledger event that recorded the decision. */
  readonly eventId?: string;
}

/** Which budget refused a call, whose it is, and what its window has left. */
export interface BudgetRefusal {
  /** The budget in the text form, e.g. `sum(amount) <= 500 per 1d`. */
  readonly budget: string;
  readonly scope: BudgetScope;
  /** The hop jti, user id or agent id the budget belongs to. */
  readonly subject: string;
  /** What the current window has left (never negative). */
  readonly remaining: number;
  /** Epoch ms at which the current window ends. */
  readonly resetsAt: number;
}

export interface AllowDecision extends DecisionFacts {
  readonly effect: "allow";
  readonly code: "granted" | "approval.granted";
  /** The call's hold on its budgets, when any applies: released if it fails or never runs. */
  readonly budgetReservation?: string;
}

export interface DenyDecision extends DecisionFacts {
  readonly effect: "deny";
  readonly code: WritErrorCode;
}

export interface ApprovalRequiredDecision extends DecisionFacts {
  readonly effect: "approval_required";
  readonly code: "approval.required";
  readonly approvalId: string;
}

/** A decision is a value, never an exception. */
export type Decision = AllowDecision | DenyDecision | ApprovalRequiredDecision;
