import type { Session } from "@writ/core";

/** What the person answering an SDK approval request is known by. */
export interface ApprovalContext {
  /** The tool's name in the ToolSet. */
  readonly tool: string;
  readonly action: string;
  readonly toolCallId: string;
  readonly session: Session;
}

/** Who answers the SDK's approval requests: a fixed name, or one per call. */
export type Approver = string | ((context: ApprovalContext) => string);

/**
 * The `by` recorded for an answer given in the SDK's approval flow when
 * nobody was named: the SDK's approval response carries no name, and the
 * session's user is the one the call was made for, so recording them would
 * claim they approved their own agent's request.
 */
export const SDK_APPROVAL_RESPONSE = "ai-sdk-approval-response";

/** The `by` recorded with an answer: the approver's name, or {@link SDK_APPROVAL_RESPONSE}. */
export function approverName(approver: Approver | undefined, context: ApprovalContext): string {
  if (typeof approver === "function") return approver(context);
  return approver ?? SDK_APPROVAL_RESPONSE;
}
