import { isWritError } from "../errors.js";
import type { Guard } from "../guard/guard.js";

/** A human's answer to an approval request, as a framework hands it back on resume. */
export interface ApprovalAnswer {
  readonly approved: boolean;
  /** Who answered, recorded with the approval. */
  readonly by: string;
  readonly reason?: string;
}

/**
 * Records a human's answer to a pending approval request when a framework
 * resumes the call, before the adapter retries it with the request's id.
 * A request that can no longer take the answer (decided meanwhile, through
 * Writ or a concurrent resume, or expired: an `approval.*` error) is not an
 * error here: the retried call meets the request as it stands and its
 * decision, recorded, says what became of it, so only an approved request
 * ever releases the call. Anything else (the backend or ledger unavailable,
 * misuse) is thrown: the call then does not run, and the answer must be
 * given again rather than lost unrecorded.
 */
export async function resumeApproval(
  guard: Guard,
  approvalId: string,
  answer: ApprovalAnswer,
): Promise<void> {
  try {
    await guard.decideApproval(approvalId, {
      approved: answer.approved,
      by: answer.by,
      ...(answer.reason === undefined ? {} : { reason: answer.reason }),
    });
  } catch (error) {
    if (!isWritError(error) || !error.code.startsWith("approval.")) throw error;
  }
}
