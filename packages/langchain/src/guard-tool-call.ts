import { ToolMessage } from "@langchain/core/messages";
import { interrupt, isGraphBubbleUp } from "@langchain/langgraph";
import {
  type AllowDecision,
  type CallInput,
  describeDecision,
  type Guard,
  resumeApproval,
  type Session,
} from "@writ/core";
import { runningCalls } from "./allowed-call.js";
import { approvalRequest, writApprovalResponseSchema } from "./approval-interrupt.js";

const RUN_OPTIONS = {
  /**
   * A tool that raises a graph interrupt (a nested agent waiting for a human)
   * or a parent command has paused, not failed: LangGraph runs it again on resume.
   */
  suspends: isGraphBubbleUp,
  /** A tool that returns an error ToolMessage has failed, as one that throws has. */
  failed: (output: unknown) => ToolMessage.isInstance(output) && output.status === "error",
} as const;

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
  const runAllowed = (decision: AllowDecision) =>
    runningCalls.within(session, decision.callId, { decision, session }, execute);
  const first = await guard.run(guard.callFrom(session, call), runAllowed, RUN_OPTIONS);
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
  await resumeApproval(guard, decision.approvalId, {
    approved: review.type === "approve",
    by: review.by ?? UNNAMED_REVIEWER,
    ...(review.type === "reject" && review.message ? { reason: review.message } : {}),
  });
  if (review.type === "reject") {
    const refusal = describeDecision({ code: "approval.rejected", action: input.action });
    return refuse(review.message ? `${refusal}\n${review.message}` : refusal, decision.callId);
  }
  const retry = await guard.run(
    guard.callFrom(session, { ...call, callId: decision.callId, approvalId: decision.approvalId }),
    runAllowed,
    RUN_OPTIONS,
  );
  return "output" in retry ? retry.output : refuse(retry.decision.message, retry.decision.callId);
}
