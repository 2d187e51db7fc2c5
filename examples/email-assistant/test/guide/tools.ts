// tools.ts: your tools, and the one line of Writ around them.
import { withWrit } from "@writ/ai-sdk";
import type { Session } from "@writ/core";
import { tool } from "ai";
import { z } from "zod";
import { guard } from "./writ.js";

export const outbox: { to: string; subject: string }[] = [];

const mailTools = {
  send_email: tool({
    description: "Send an email.",
    inputSchema: z.object({ to: z.string(), subject: z.string(), body: z.string() }),
    execute: async ({ to, subject }) => {
      outbox.push({ to, subject });
      return `Sent to ${to}.`;
    },
  }),
  delete_email: tool({
    description: "Delete an email by id.",
    inputSchema: z.object({ id: z.string() }),
    execute: async ({ id }) => `Deleted ${id}.`,
  }),
};

/** The tools of one conversation: each call is made with its session, and decided and recorded first. */
export function toolsFor(session: Session) {
  return withWrit(mailTools, {
    guard,
    session,
    actions: { send_email: "email.send", delete_email: "email.delete" },
  });
}
