/**
 * The assistant's tools, as plain AI SDK tools. `withWrit` (in
 * email-assistant.ts) wraps them: nothing here knows about Writ.
 */
import { tool } from "ai";
import { z } from "zod";
import type { DocumentLibrary, Outbox } from "./workspace.js";

/** Tool name → Writ action: the grants speak of actions, the model of tools. */
export const ACTIONS = {
  list_documents: "docs.list",
  read_document: "docs.read",
  send_email: "email.send",
} as const;

export function assistantTools({ library, outbox }: { library: DocumentLibrary; outbox: Outbox }) {
  return {
    list_documents: tool({
      description: "List the documents in the library, with their ids, titles and labels.",
      inputSchema: z.object({}),
      execute: async () => library.list(),
    }),
    read_document: tool({
      description: "Read a document by id.",
      inputSchema: z.object({ id: z.string() }),
      execute: async ({ id }) => {
        const document = library.get(id);
        if (!document) throw new Error(`There is no document "${id}".`);
        return { title: document.title, text: document.text };
      },
    }),
    send_email: tool({
      description: "Send an email.",
      inputSchema: z.object({ to: z.string(), subject: z.string(), body: z.string() }),
      execute: async (email) => {
        outbox.send(email);
        return `Sent to ${email.to}.`;
      },
    }),
  };
}
