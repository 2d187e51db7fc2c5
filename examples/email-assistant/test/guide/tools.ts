// tools.ts: your tools, and the one line of Writ around them.
import { withWrit } from "@writ/ai-sdk";
import { tool } from "ai";
import { z } from "zod";
import { guard } from "./writ.js";

export const outbox: { to: string; subject: string }[] = [];

export const tools = withWrit(
  {
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
  },
  // No session here: each generateText call passes its own (experimental_context).
  { guard, actions: { send_email: "email.send", delete_email: "email.delete" } },
);
