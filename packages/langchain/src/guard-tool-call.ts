import { interrupt, isGraphBubbleUp } from "@langchain/langgraph";
import {
  type AllowDecision,
  type CallInput,
  describeDecision,
  type Guard,
  isWritError,
  type Session,
} from "@writ/core";
import { runInAllowedCall } from "./allowed-call.js";
import { approvalRequest, writApprovalResponseSchema } from "./approval-interrupt.js";

/**
 * A tool that raises a graph interrupt (a nested agent waiting for a human) or
 * a parent command has paused, not failed: LangGraph runs it again on resume.
 */
const SUSPENDS = { suspends: isGraphBubbleUp } as const;

/** Recorded as the reviewer when a resume does not name one. */
const UNNAMED_REVIEWER = "langgraph-resume";

export interface GuardToolCallInput<T> {
  readonly guard: Guard;
  readonly session: Session;
  readonly action: string;
  readonly tool: string;
  /** Parsed arguments: what conditions see and what the proof hashes. */
  readonly args: unknown;
  /** The arguments as the model sent them, shown to the person approving. */
  readonly rawArgs: Record<string, unknown>;
  readonly callId: string | undefined;
  /** Runs the tool; only ever called on allow. */
  readonly execute: () => Promise<T>;
  /** The framework's refusal (an error ToolMessage) carrying a model-safe message. */
  readonly refuse: (message: string, callId: string) => T;
}

/**
 * One guarded tool call in LangChain terms: the guard decides; allow runs the
 * tool and records its outcome; deny becomes a refusal the model reads;
 * approval_required becomes a LangGraph interrupt whose resume is recorded as
 * the human's decision, then the same call is retried with its approval id.
 * Interrupts and errors from the tool propagate untouched.
 */
export async function guardToolCall<T>(input: GuardToolCallInput<T>): Promise<T> {
  const { guard, session, execute, refuse } = input;
  const call: CallInput = {
    action: input.action,
    tool: input.tool,
    args: input.args,
    adapter: "langchain",
    ...(input.callId === undefined ? {} : { callId: input.callId }),
  };
  const runAllowed = (decision: AllowDecision) => runInAllowedCall(session, decision, execute);
  const first = await guard.run(guard.callFrom(session, call), runAllowed, SUSPENDS);
  if ("output" in first) return first.output;
  const { decision } = first;
  if (decision.effect !== "approval_required") return refuse(decision.message, decision.callId);

  // On the first pass interrupt() throws GraphInterrupt. When the graph is
  // resumed the node runs again, the guard returns the same pending request
  // (recorded once), and interrupt() returns the resume value. Parsing again
  // here covers LangGraph versions that ignore responseSchema.
  const answer = interrupt(approvalRequest(decision, input.tool, input.rawArgs), {
    responseSchema: writApprovalResponseSchema,
  });
  const [review] = writApprovalResponseSchema.parse(answer).decisions;
  const by = review.by ?? UNNAMED_REVIEWER;
  try {
    await guard.decideApproval(decision.approvalId, {
      approved: review.type === "approve",
      by,
      ...(review.type === "reject" && review.message ? { reason: review.message } : {}),
    });
  } catch (error) {
    // The request was decided elsewhere or expired. Nothing runs on this: a
    // rejection refuses below, and an approval is only honoured if the guard,
    // spending the stored approval on the retry, allows it.
    if (!isWritError(error)) throw error;
  }
  if (review.type === "reject") {
    const refusal = describeDecision({ code: "approval.rejected", action: input.action });
    return refuse(review.message ? `${refusal}\n${review.message}` : refusal, decision.callId);
  }
  const retry = await guard.run(
    guard.callFrom(session, { ...call, callId: decision.callId, approvalId: decision.approvalId }),
    runAllowed,
    SUSPENDS,
  );
  return "output" in retry ? retry.output : refuse(retry.decision.message, retry.decision.callId);
}
