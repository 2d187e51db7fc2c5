// chat.ts: how your server runs the agent for a signed-in user, and resumes it after a review.
import { Command } from "@langchain/langgraph";
import type { Session } from "@writ/core";
import type { WritApprovalRequest } from "@writ/langchain";
import { agent } from "./agent.js";
import { sessionFor } from "./writ.js";

// A paused run must resume with the session it paused with: the approval is bound to its writ.
const sessions = new Map<string, Session>();

export async function chat(user: string, thread: string, text: string) {
  const session = await sessionFor(user);
  sessions.set(thread, session);
  const config = { configurable: { thread_id: thread }, context: { writSession: session } };
  return reply(await agent.invoke({ messages: [{ role: "user", content: text }] }, config));
}

export async function review(thread: string, approved: boolean, by: string) {
  const session = sessions.get(thread);
  if (!session) throw new Error(`No run is waiting on thread ${thread}.`);
  const config = { configurable: { thread_id: thread }, context: { writSession: session } };
  const decision = approved ? { type: "approve" as const, by } : { type: "reject" as const, by };
  return reply(await agent.invoke(new Command({ resume: { decisions: [decision] } }), config));
}

/** The agent's answer, or the approval the run waits for. */
function reply(state: Awaited<ReturnType<typeof agent.invoke>>) {
  const pending = state.__interrupt__?.[0]?.value as WritApprovalRequest | undefined;
  if (pending)
    return { waitingFor: pending.actionRequests[0], approvalId: pending.writ.approvalId };
  return { text: state.messages.at(-1)?.text ?? "" };
}
