// langchain-tools.ts: a LangChain agent whose tool sends mail with the user's Gmail token.
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { Session } from "@writ/core";
import { allowedCall, writMiddleware } from "@writ/langchain";
import { createAgent, tool } from "langchain";
import { z } from "zod";
import { broker, guard } from "./broker.js";
import { encodeMessage } from "./google-apis.js";

const sendEmail = tool(
  async ({ to, subject, body }, config) => {
    const token = await broker.getAccessToken(allowedCall(config), "google");
    const response = await fetch("https://gmail.googleapis.com/gmail/v1/users/me/messages/send", {
      method: "POST",
      headers: { authorization: token.authorization, "content-type": "application/json" },
      body: JSON.stringify({ raw: encodeMessage({ to, subject, body }) }),
    });
    return response.ok ? "sent" : `Gmail answered ${response.status}`;
  },
  {
    name: "send_email",
    schema: z.object({ to: z.string(), subject: z.string(), body: z.string() }),
  },
);

/** The agent's run for the user whose session this is: the messages it ended with. */
export async function runMailAgent(model: BaseChatModel, session: Session, text: string) {
  const input = { messages: [{ role: "user", content: text }] };
  const agent = createAgent({
    model,
    tools: [sendEmail],
    middleware: [writMiddleware({ guard, actions: { send_email: "email.send" } })],
  });
  const result = await agent.invoke(input, { context: { writSession: session } });
  return result.messages;
}
