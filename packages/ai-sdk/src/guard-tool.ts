import {
  type AllowDecision,
  type ApprovalRequiredDecision,
  type Call,
  type DenyDecision,
  type Session,
  streamAllowed,
} from "@writ/core";
import type { ToolSet } from "ai";
import { runningCalls } from "./allowed-call.js";
import { approvalResponses } from "./approval-responses.js";
import { denialError } from "./denial-error.js";
import { type GuardedTool, noteGuardedTool } from "./guarded-tool.js";
import type { ApprovalOptions, ExecuteOptions, ToolShape } from "./sdk-shapes.js";
import { isWritDenial, toWritDenial } from "./writ-denial.js";
import { writContextSchema } from "./writ-tools-context.js";

type AnyTool = ToolSet[string];

/** One tool of a ToolSet with its execute and needsApproval answered by the guard. */
export function guardTool(
  tool: AnyTool,
  guarded: GuardedTool,
  denial: "error" | "result",
): AnyTool {
  const { guard, name } = guarded;
  const own: ToolShape = tool;
  const toolExecute = own.execute;
  if (typeof toolExecute !== "function") {
    throw new TypeError(
      `Tool "${name}" has no execute function, so Writ cannot guard it here: the client or provider would run it unchecked. Leave it out of withWrit, or give it an execute.`,
    );
  }
  const execute = toolExecute;
  const ownApproval = own.needsApproval;

  const refuse = (decision: DenyDecision | ApprovalRequiredDecision): unknown => {
    if (denial === "result") return toWritDenial(decision);
    throw denialError(decision);
  };

  async function needsApproval(args: unknown, options: ApprovalOptions): Promise<boolean> {
    const session = guarded.sessionFor(options);
    const policy = await guarded.policyApproval(session, args, options.toolCallId);
    if (policy === "ask") return true;
    if (policy === "refuse") {
      // Asking a human about a call the guard refuses is pointless, so a first
      // evaluation says no and execute reports the refusal. When a resumed run
      // evaluates an approved call again (revoked meanwhile, or its approval
      // already spent), a "no" would become AI SDK 6's own "does not require
      // approval" denial, unrecorded and not in Writ's words: "yes" sends it
      // to execute, where the guard refuses it and records why.
      return approvalResponses(options.messages).some(
        (answer) => answer.toolCallId === options.toolCallId && answer.approved,
      );
    }
    if (typeof ownApproval === "function") return ownApproval(args, options);
    return ownApproval === true;
  }

  /**
   * The call to decide, and the session making it. A resumed run carries the
   * SDK's approval response: it is the human's answer to the request the
   * guard opened for this call id when the SDK asked. While that request is
   * pending the answer is recorded and the call carries the request's id,
   * which the guard spends exactly once. A request already spent, rejected
   * or expired makes the guard refuse the call, so a replayed response never
   * runs it twice.
   */
  async function prepareCall(
    args: unknown,
    options: ExecuteOptions,
  ): Promise<{ call: Call; session: Session }> {
    const session = guarded.sessionFor(options);
    const { toolCallId } = options;
    const answer = approvalResponses(options.messages).find(
      (answered) => answered.toolCallId === toolCallId,
    );
    const approvalId = answer?.approved
      ? await guarded.recordAnswer(session, args, toolCallId, answer)
      : undefined;
    return { call: guarded.call(session, args, toolCallId, approvalId), session };
  }

  /**
   * A streaming execute (an async generator): authorized before it starts,
   * its values passed through as the SDK's preliminary results, one outcome
   * recorded when the stream completes, fails, or is closed early.
   */
  async function* executeStream(
    args: unknown,
    options: ExecuteOptions,
  ): AsyncGenerator<unknown, void, undefined> {
    const { call, session } = await prepareCall(args, options);
    const decision = await guard.authorize(call);
    if (decision.effect !== "allow") {
      yield refuse(decision);
      return;
    }
    yield* runningCalls.streamWithin(options, options.toolCallId, { decision, session }, () =>
      streamAllowed(guard, decision, call, () => execute(args, options) as AsyncIterable<unknown>),
    );
  }

  async function executeOnce(args: unknown, options: ExecuteOptions): Promise<unknown> {
    const { call, session } = await prepareCall(args, options);
    const result = await guard.run(call, (decision: AllowDecision) =>
      runningCalls.within(options, options.toolCallId, { decision, session }, () =>
        lastValue(execute(args, options)),
      ),
    );
    return "output" in result ? result.output : refuse(result.decision);
  }

  const result: AnyTool = Object.assign({}, tool, {
    needsApproval,
    execute: isAsyncGeneratorFunction(execute) ? executeStream : executeOnce,
    // Without a session of its own, the tool's AI SDK 7 context carries one.
    ...(guarded.session === undefined
      ? { contextSchema: writContextSchema(own.contextSchema) }
      : {}),
  });
  const toModelOutput = tool.toModelOutput;
  if (denial === "result" && toModelOutput !== undefined) {
    // The tool's own conversion expects its own outputs, never a denial.
    result.toModelOutput = (converted: Parameters<typeof toModelOutput>[0]) => {
      const { output } = converted;
      if (!isWritDenial(output)) return toModelOutput(converted);
      return {
        type: "json" as const,
        value: { denied: true, code: output.code, reason: output.reason },
      };
    };
  }
  noteGuardedTool(result, guarded);
  return result;
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
