// chat.ts: how your server runs the model for a signed-in user, and continues after a review.
import type { Session } from "@writ/core";
import { generateText, type ModelMessage, stepCountIs } from "ai";
import { model } from "./model.js";
import { tools } from "./tools.js";
import { sessionFor } from "./writ.js";

interface Conversation {
  readonly session: Session;
  readonly messages: ModelMessage[];
  waitingFor: string | undefined;
}

// Kept on the server: whoever can add an approval response to the history approves.
const conversations = new Map<string, Conversation>();

export async function chat(user: string, thread: string, text: string) {
  const conversation: Conversation = {
    session: await sessionFor(user),
    messages: [{ role: "user", content: text }],
    waitingFor: undefined,
  };
  conversations.set(thread, conversation);
  return next(conversation);
}

export async function review(thread: string, approved: boolean, reason = "") {
  const conversation = conversations.get(thread);
  if (!conversation?.waitingFor) throw new Error(`No approval is pending on thread ${thread}.`);
  conversation.messages.push({
    role: "tool",
    content: [
      { type: "tool-approval-response", approvalId: conversation.waitingFor, approved, reason },
    ],
  });
  return next(conversation);
}

/** One generateText turn: the model's answer, or the approval it waits for. */
async function next(conversation: Conversation) {
  const result = await generateText({
    model,
    tools,
    messages: conversation.messages,
    stopWhen: stepCountIs(5),
    experimental_context: { session: conversation.session },
  });
  conversation.messages.push(...result.response.messages);
  const request = result.content.find((part) => part.type === "tool-approval-request");
  conversation.waitingFor = request?.approvalId;
  if (request) return { waitingFor: request.toolCall.toolName, input: request.toolCall.input };
  return { text: result.text };
}
