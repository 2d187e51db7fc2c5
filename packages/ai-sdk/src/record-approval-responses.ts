import { Session } from "@writ/core";
import type { ModelMessage, ToolSet } from "ai";
import { approvalResponses } from "./approval-responses.js";
import { guardedToolOf } from "./guarded-tool.js";

export interface RecordApprovalResponsesOptions {
  /** The session the calls were made with. Default: the one given to withWrit. */
  readonly session?: Session;
  /** Who answered. Default: withWrit's `approver`, else `"ai-sdk-approval-response"`. */
  readonly by?: string;
}

/**
 * Records in Writ the answers a person gave in the SDK's approval flow, from
 * the messages a run resumes with: call it with those messages before the
 * generateText / streamText call that resumes. The SDK acts on a rejection
 * itself (the tool never runs, so withWrit never sees it): recorded here,
 * the guard's request is closed as rejected, with who rejected it and why,
 * and nobody can approve it later. An approval is recorded here too (the
 * resumed run spends it; without this it is recorded when it does). Only
 * calls of tools withWrit guards that the policy holds for approval are
 * decided, while their request is pending: calling it again with the same
 * messages records nothing more. Throws when an answer cannot be recorded
 * (the store unreachable): answer again, rather than resume without it.
 */
export async function recordApprovalResponses(
  tools: ToolSet,
  messages: readonly ModelMessage[],
  options: RecordApprovalResponsesOptions = {},
): Promise<void> {
  if (typeof tools !== "object" || tools === null || !Array.isArray(messages)) {
    throw new TypeError(
      "recordApprovalResponses needs the guarded tools and the messages the run resumes with.",
    );
  }
  const { session, by } = options;
  if (session !== undefined && !(session instanceof Session)) {
    throw new TypeError("recordApprovalResponses's session must be a Session.");
  }
  if (by !== undefined && (typeof by !== "string" || by.length === 0)) {
    throw new TypeError("recordApprovalResponses's by must be a non-empty string.");
  }
  for (const answered of approvalResponses(messages)) {
    const guarded = guardedToolOf(tools[answered.toolName]);
    if (guarded === undefined) continue;
    const callSession = session ?? guarded.session;
    if (callSession === undefined) {
      throw new TypeError(
        `recordApprovalResponses has no session for tool "${guarded.name}": pass the session the calls were made with, { session }.`,
      );
    }
    await guarded.recordAnswer(callSession, answered.input, answered.toolCallId, answered, by);
  }
}
