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
  /** The approval request this decision is about, if any. */
  readonly approvalId?: string;
  /** Id of the ledger event that recorded the decision. */
  readonly eventId?: string;
}

export interface AllowDecision extends DecisionFacts {
  readonly effect: "allow";
  readonly code: "granted" | "approval.granted";
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
