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
 * The `by` recorded with an approval. Without an approver it is the session's
 * user: in the SDK's flow the approval response comes from the application's
 * own approval UI.
 */
export function approverName(approver: Approver | undefined, context: ApprovalContext): string {
  if (typeof approver === "function") return approver(context);
  return approver ?? context.session.user;
}
