import type { ModelMessage } from "ai";

/** A tool call a person answered in the SDK's approval flow. */
export interface AnsweredCall {
  readonly toolCallId: string;
  readonly toolName: string;
  readonly input: unknown;
  readonly approved: boolean;
  readonly reason?: string;
}

/**
 * The calls the SDK's approval responses in a resumed run's messages answer,
 * read the way generateText reads them: from the last message only, when it
 * is a tool message, and only the first response for each call. A response
 * found anywhere else was already acted on by an earlier run.
 */
export function approvalResponses(messages: readonly ModelMessage[]): AnsweredCall[] {
  const last = messages.at(-1);
  if (last?.role !== "tool") return [];
  const requested = new Map<string, string>();
  const calls = new Map<string, { readonly toolName: string; readonly input: unknown }>();
  for (const message of messages) {
    if (message.role !== "assistant" || typeof message.content === "string") continue;
    for (const part of message.content) {
      if (part.type === "tool-approval-request") requested.set(part.approvalId, part.toolCallId);
      if (part.type === "tool-call") {
        calls.set(part.toolCallId, { toolName: part.toolName, input: part.input });
      }
    }
  }
  const answered = new Map<string, AnsweredCall>();
  for (const part of last.content) {
    if (part.type !== "tool-approval-response") continue;
    const toolCallId = requested.get(part.approvalId);
    const call = toolCallId === undefined ? undefined : calls.get(toolCallId);
    if (toolCallId === undefined || call === undefined || answered.has(toolCallId)) continue;
    answered.set(toolCallId, {
      toolCallId,
      ...call,
      approved: part.approved,
      ...(part.reason === undefined ? {} : { reason: part.reason }),
    });
  }
  return [...answered.values()];
}
