import type { ModelMessage, ToolApprovalResponse } from "ai";

/**
 * The SDK approval response a resumed run carries for one tool call, read the
 * way generateText reads it: from the last message only, when it is a tool
 * message, and only the first response for the call. A response found
 * anywhere else was already acted on by an earlier run.
 */
export function findApprovalResponse(
  messages: readonly ModelMessage[],
  toolCallId: string,
): ToolApprovalResponse | undefined {
  const last = messages.at(-1);
  if (last?.role !== "tool") return undefined;
  const requested = new Set<string>();
  for (const message of messages) {
    if (message.role !== "assistant" || typeof message.content === "string") continue;
    for (const part of message.content) {
      if (part.type === "tool-approval-request" && part.toolCallId === toolCallId) {
        requested.add(part.approvalId);
      }
    }
  }
  for (const part of last.content) {
    if (part.type === "tool-approval-response" && requested.has(part.approvalId)) return part;
  }
  return undefined;
}
