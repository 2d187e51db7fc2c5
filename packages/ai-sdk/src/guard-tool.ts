import {
  type AllowDecision,
  type ApprovalRequiredDecision,
  type Call,
  type CallInput,
  type DenyDecision,
  type Guard,
  resumeApproval,
  type Session,
  streamAllowed,
} from "@writ/core";
import type { ModelMessage, ToolExecutionOptions, ToolSet } from "ai";
import { ADAPTER } from "./adapter.js";
import { runningCalls } from "./allowed-call.js";
import { type Approver, approverName } from "./approver.js";
import { denialError } from "./denial-error.js";
import { findApprovalResponse } from "./find-approval-response.js";
import { sessionFromContext } from "./session-from-context.js";
import { noteGuardedTool } from "./usable-tools.js";
import { isWritDenial, toWritDenial } from "./writ-denial.js";

export interface GuardToolOptions {
  readonly guard: Guard;
  readonly name: string;
  readonly action: string;
  readonly session: Session | undefined;
  readonly denial: "error" | "result";
  readonly approver: Approver | undefined;
}

type AnyTool = ToolSet[string];

interface ApprovalOptions {
  readonly toolCallId: string;
  readonly messages: ModelMessage[];
  readonly experimental_context?: unknown;
}

/** One tool of a ToolSet with its execute and needsApproval answered by the guard. */
export function guardTool(tool: AnyTool, options: GuardToolOptions): AnyTool {
  const { guard, name, action, denial } = options;
  const toolExecute = tool.execute;
  if (typeof toolExecute !== "function") {
    throw new TypeError(
      `Tool "${name}" has no execute function, so Writ cannot guard it here: the client or provider would run it unchecked. Leave it out of withWrit, or give it an execute.`,
    );
  }
  const execute = toolExecute;
  const ownApproval = tool.needsApproval;

  const sessionFor = (callOptions: object): Session => {
    const session = options.session ?? sessionFromContext(callOptions);
    if (session === undefined) {
      throw new TypeError(
        `withWrit has no session for tool "${name}": pass { session } to withWrit, or experimental_context: session (or { session }) to generateText / streamText.`,
      );
    }
    return session;
  };

  const callInput = (args: unknown, toolCallId: string, approvalId?: string): CallInput => ({
    action,
    tool: name,
    args,
    callId: toolCallId,
    adapter: ADAPTER,
    ...(approvalId === undefined ? {} : { approvalId }),
  });

  const refuse = (decision: DenyDecision | ApprovalRequiredDecision): unknown => {
    if (denial === "result") return toWritDenial(decision);
    throw denialError(decision);
  };

  async function needsApproval(args: unknown, callOptions: ApprovalOptions): Promise<boolean> {
    const session = sessionFor(callOptions);
    const { toolCallId, messages } = callOptions;
    const resumed = findApprovalResponse(messages, toolCallId)?.approved === true;
    const decision = await guard.preflight(guard.callFrom(session, callInput(args, toolCallId)));
    // An approval the guard already holds (granted through Writ, not yet spent)
    // still means the call needed one: the same answer on resume.
    if (decision.effect === "approval_required" || decision.code === "approval.granted")
      return true;
    if (decision.effect === "deny") {
      // Asking a human about a call the guard refuses is pointless, so a first
      // evaluation says no and execute reports the refusal. When a resumed run
      // evaluates an approved call again (revoked meanwhile, or its approval
      // already spent), a "no" would become the SDK's own "does not require
      // approval" denial, unrecorded and not in Writ's words: "yes" sends it
      // to execute, where the guard refuses it and records why.
      return resumed;
    }
    if (typeof ownApproval === "function") return ownApproval(args, callOptions);
    return ownApproval === true;
  }

  /**
   * The call to decide, and the session making it. A resumed run carries the
   * SDK's approval response: it is the human's answer to the request the
   * guard opened for this call id when the SDK asked. While that request is
   * pending the answer is recorded (resumeApproval) and the call carries the
   * request's id, which the guard spends exactly once. A request already
   * spent, rejected or expired makes the guard refuse the call, so a replayed
   * response never runs it twice.
   */
  async function prepareCall(
    args: unknown,
    callOptions: ToolExecutionOptions,
  ): Promise<{ call: Call; session: Session }> {
    const session = sessionFor(callOptions);
    const { toolCallId } = callOptions;
    const plain = () => ({ call: guard.callFrom(session, callInput(args, toolCallId)), session });
    const response = findApprovalResponse(callOptions.messages, toolCallId);
    if (response?.approved !== true) return plain();
    const pending = await guard.preflight(plain().call);
    if (pending.effect !== "approval_required") return plain();
    await resumeApproval(guard, pending.approvalId, {
      approved: true,
      by: approverName(options.approver, { tool: name, action, toolCallId, session }),
      ...(response.reason === undefined ? {} : { reason: response.reason }),
    });
    return {
      call: guard.callFrom(session, callInput(args, toolCallId, pending.approvalId)),
      session,
    };
  }

  /**
   * A streaming execute (an async generator): authorized before it starts,
   * its values passed through as the SDK's preliminary results, one outcome
   * recorded when the stream completes, fails, or is closed early.
   */
  async function* executeStream(
    args: unknown,
    callOptions: ToolExecutionOptions,
  ): AsyncGenerator<unknown, void, undefined> {
    const { call, session } = await prepareCall(args, callOptions);
    const decision = await guard.authorize(call);
    if (decision.effect !== "allow") {
      yield refuse(decision);
      return;
    }
    yield* runningCalls.streamWithin(
      callOptions,
      callOptions.toolCallId,
      { decision, session },
      () =>
        streamAllowed(
          guard,
          decision,
          call,
          () => execute(args, callOptions) as AsyncIterable<unknown>,
        ),
    );
  }

  async function executeOnce(args: unknown, callOptions: ToolExecutionOptions): Promise<unknown> {
    const { call, session } = await prepareCall(args, callOptions);
    const result = await guard.run(call, (decision: AllowDecision) =>
      runningCalls.within(callOptions, callOptions.toolCallId, { decision, session }, () =>
        lastValue(execute(args, callOptions)),
      ),
    );
    return "output" in result ? result.output : refuse(result.decision);
  }

  const guarded: AnyTool = {
    ...tool,
    needsApproval,
    execute: isAsyncGeneratorFunction(execute) ? executeStream : executeOnce,
  };
  const toModelOutput = tool.toModelOutput;
  if (denial === "result" && toModelOutput !== undefined) {
    // The tool's own conversion expects its own outputs, never a denial.
    guarded.toModelOutput = (converted: Parameters<typeof toModelOutput>[0]) => {
      const { output } = converted;
      if (!isWritDenial(output)) return toModelOutput(converted);
      return {
        type: "json" as const,
        value: { denied: true, code: output.code, reason: output.reason },
      };
    };
  }
  noteGuardedTool(guarded, { guard, action, session: options.session });
  return guarded;
}

function isAsyncGeneratorFunction(value: unknown): boolean {
  return Object.prototype.toString.call(value) === "[object AsyncGeneratorFunction]";
}

/**
 * An execute that is not an async generator function but returns an
 * AsyncIterable cannot stream through the guard (whether it streams is only
 * known after it was called, which must wait for the decision): its last
 * value is its output, as the SDK would make it.
 */
async function lastValue(result: unknown): Promise<unknown> {
  const settled = await result;
  if (typeof settled !== "object" || settled === null || !(Symbol.asyncIterator in settled)) {
    return settled;
  }
  let last: unknown;
  for await (const value of settled as AsyncIterable<unknown>) last = value;
  return last;
}
