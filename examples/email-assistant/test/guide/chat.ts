// chat.ts: how your server runs the model for a signed-in user, and continues after a review.
import { recordApprovalResponses } from "@writ/ai-sdk";
import { generateText, type ModelMessage, stepCountIs } from "ai";
import { model } from "./model.js";
import { toolsFor } from "./tools.js";
import { sessionFor } from "./writ.js";

interface Conversation {
  readonly tools: ReturnType<typeof toolsFor>;
  readonly messages: ModelMessage[];
  waitingFor: string | undefined;
}

// Kept on the server: whoever can add an approval response to the history answers it.
const conversations = new Map<string, Conversation>();

export async function chat(user: string, thread: string, text: string) {
  const conversation: Conversation = {
    tools: toolsFor(await sessionFor(user)),
    messages: [{ role: "user", content: text }],
    waitingFor: undefined,
  };
  conversations.set(thread, conversation);
  return next(conversation);
}

export async function review(thread: string, reviewer: string, approved: boolean, reason = "") {
  const conversation = conversations.get(thread);
  if (!conversation?.waitingFor) throw new Error(`No approval is pending on thread ${thread}.`);
  conversation.messages.push({
    role: "tool",
    content: [
      { type: "tool-approval-response", approvalId: conversation.waitingFor, approved, reason },
    ],
  });
  // The SDK acts on a rejection itself: record the answer, and who gave it, before continuing.
  await recordApprovalResponses(conversation.tools, conversation.messages, { by: reviewer });
  return next(conversation);
}

/** One generateText turn: the model's answer, or the approval it waits for. */
async function next(conversation: Conversation) {
  const result = await generateText({
    model,
    tools: conversation.tools,
    messages: conversation.messages,
    stopWhen: stepCountIs(5),
  });
  conversation.messages.push(...result.response.messages);
  const request = result.content.find((part) => part.type === "tool-approval-request");
  conversation.waitingFor = request?.approvalId;
  if (request) return { waitingFor: request.toolCall.toolName, input: request.toolCall.input };
  return { text: result.text };
}
