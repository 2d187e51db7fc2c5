/**
 * The three agents as LangChain `createAgent` agents, each guarded by
 * `writMiddleware`. A hand-off is a tool: it delegates a narrower writ to the
 * next agent with `session.delegate()` and runs that agent with it.
 */
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { Guard, Session } from "@writ/core";
import { writMiddleware, writSession } from "@writ/langchain";
import { type BaseMessage, createAgent, tool } from "langchain";
import { z } from "zod";
import { type Crew, RESEARCHER_GRANTS, WRITER_GRANTS } from "./directory.js";
import type { Notebook, ReportChannel, SearchIndex } from "./research-desk.js";

/** Tool name → Writ action. */
export const ACTIONS = {
  assign_research: "tasks.delegate",
  assign_writing: "tasks.delegate",
  search_web: "web.search",
  save_note: "notes.write",
  read_notes: "notes.read",
  publish_report: "reports.publish",
} as const;

export interface Models {
  readonly planner: BaseChatModel;
  readonly researcher: BaseChatModel;
  readonly writer: BaseChatModel;
  readonly description: string;
}

export interface CrewOptions {
  readonly guard: Guard;
  readonly models: Models;
  readonly crew: Crew;
  readonly search: SearchIndex;
  readonly notebook: Notebook;
  readonly reports: ReportChannel;
  /**
   * Every session a hand-off creates, by agent id. The application keeps
   * them: a delegated agent can be run again later with the writ it holds.
   */
  readonly sessions: Map<string, Session>;
}

export function lastText(messages: readonly BaseMessage[]): string {
  return messages.at(-1)?.text ?? "";
}

const guarded = (guard: Guard) => [writMiddleware({ guard, actions: ACTIONS })];

function readNotes(notebook: Notebook) {
  return tool(async () => JSON.stringify(notebook.notes), {
    name: "read_notes",
    description: "Read the research notes saved so far.",
    schema: z.object({}),
  });
}

export function createWriter({ guard, models, notebook, reports }: CrewOptions) {
  const publishReport = tool(
    async ({ title, body, channel }, runtime) => {
      reports.published.push({ title, body, channel, by: writSession(runtime).agent.id });
      return `Published "${title}" to ${channel}.`;
    },
    {
      name: "publish_report",
      description: "Publish a report to a channel: internal, team or public.",
      schema: z.object({
        title: z.string(),
        body: z.string(),
        channel: z.enum(["internal", "team", "public"]),
      }),
    },
  );
  return createAgent({
    model: models.writer,
    tools: [readNotes(notebook), publishReport],
    systemPrompt:
      "You are the writer. Read the notes, then publish a short brief to the internal channel. Finish with one sentence.",
    middleware: guarded(guard),
  });
}

export function createResearcher(options: CrewOptions) {
  const { guard, models, crew, search, notebook, sessions } = options;
  const writer = createWriter(options);
  const searchWeb = tool(async ({ query }) => JSON.stringify(search.search(query)), {
    name: "search_web",
    description: "Search the web.",
    schema: z.object({ query: z.string() }),
  });
  const saveNote = tool(
    async ({ text, source }, runtime) => {
      notebook.notes.push({ text, source, by: writSession(runtime).agent.id });
      return "Saved.";
    },
    {
      name: "save_note",
      description: "Save a research note with its source URL.",
      schema: z.object({ text: z.string(), source: z.string() }),
    },
  );
  const assignWriting = tool(
    async ({ brief }, runtime) => {
      // Hop 2: the writer may read notes and publish internally, and may not delegate further.
      const session = writSession(runtime).delegate(crew.writer, {
        grants: WRITER_GRANTS,
        maxDepth: 0,
      });
      sessions.set(crew.writer.id, session);
      const result = await writer.invoke(
        { messages: [{ role: "user", content: brief }] },
        { context: { writSession: session } },
      );
      return lastText(result.messages);
    },
    {
      name: "assign_writing",
      description: "Hand the writing to the writer agent, with a brief.",
      schema: z.object({ brief: z.string() }),
    },
  );
  return createAgent({
    model: models.researcher,
    tools: [searchWeb, saveNote, assignWriting],
    systemPrompt:
      "You are the researcher. Search, save the useful findings as notes with their sources, then hand the writing to the writer. Finish with one sentence.",
    middleware: guarded(guard),
  });
}

export function createPlanner(options: CrewOptions) {
  const { guard, models, crew, notebook, sessions } = options;
  const researcher = createResearcher(options);
  const assignResearch = tool(
    async ({ topic }, runtime) => {
      // Hop 1: research and internal publishing, with one more hop allowed (to the writer).
      const session = writSession(runtime).delegate(crew.researcher, {
        grants: RESEARCHER_GRANTS,
        maxDepth: 1,
      });
      sessions.set(crew.researcher.id, session);
      const result = await researcher.invoke(
        {
          messages: [
            {
              role: "user",
              content: `Research this and get an internal brief published: ${topic}`,
            },
          ],
        },
        { context: { writSession: session } },
      );
      return lastText(result.messages);
    },
    {
      name: "assign_research",
      description: "Hand a research topic to the researcher agent.",
      schema: z.object({ topic: z.string() }),
    },
  );
  return createAgent({
    model: models.planner,
    tools: [assignResearch, readNotes(notebook)],
    systemPrompt:
      "You are the planner. Hand research to the researcher; when asked about results, read the notes. Finish with one sentence.",
    middleware: guarded(guard),
  });
}
