/**
 * The chat models. Offline by default: scripted models that make the calls
 * of the story. With OPENAI_API_KEY set, the three agents run on a real
 * OpenAI model and the guard decides their calls the same way.
 */
import { randomUUID } from "node:crypto";
import { AIMessage, fakeModel } from "langchain";
import type { Models } from "./agents.js";

type Turn = { readonly tool: string; readonly args: Record<string, unknown> } | string;

function scripted(name: string, run: string, turns: readonly Turn[]) {
  let model = fakeModel();
  turns.forEach((turn, i) => {
    model =
      typeof turn === "string"
        ? model.respond(new AIMessage(turn))
        : model.respondWithTools([
            { name: turn.tool, args: turn.args, id: `call_${name}_${i + 1}_${run}` },
          ]);
  });
  return model;
}

/**
 * The story, scripted. First run: planner → researcher → writer, the writer
 * publishing internally and trying the team channel, which its hop does not
 * allow. After the researcher's hop is revoked: the writer tries once more,
 * and the planner reads the notes.
 */
export function scriptedModels(): Models {
  const run = randomUUID().slice(0, 8);
  return {
    planner: scripted("planner", run, [
      {
        tool: "assign_research",
        args: { topic: "how AI agents should carry delegated authority" },
      },
      "The researcher and writer published an internal brief.",
      { tool: "read_notes", args: {} },
      "The notes say delegated authority should narrow at each hand-off and be revocable at once.",
    ]),
    researcher: scripted("researcher", run, [
      { tool: "search_web", args: { query: "AI agents delegated authority" } },
      {
        tool: "save_note",
        args: {
          text: "Authority should narrow at every hand-off and be revocable at once.",
          source: "https://research.example/agents/delegation",
        },
      },
      {
        tool: "assign_writing",
        args: {
          brief:
            "Write a short internal brief on delegated authority for AI agents from the notes.",
        },
      },
      "Notes saved and the writer published the brief.",
    ]),
    writer: scripted("writer", run, [
      { tool: "read_notes", args: {} },
      {
        tool: "publish_report",
        args: {
          title: "Delegated authority for AI agents",
          body: "Authority should narrow at every hand-off and be revocable at once.",
          channel: "internal",
        },
      },
      {
        tool: "publish_report",
        args: {
          title: "Delegated authority for AI agents",
          body: "Authority should narrow at every hand-off and be revocable at once.",
          channel: "team",
        },
      },
      "Published the brief internally; the team channel is not mine to publish to.",
      {
        tool: "publish_report",
        args: {
          title: "Correction: sources under review",
          body: "One source of this brief is under review.",
          channel: "internal",
        },
      },
      "I could not publish the correction: my authority was revoked.",
    ]),
    description: "scripted (offline)",
  };
}

/** Real models, from @langchain/openai, loaded only when a key is set. */
export async function openAiModels(model: string): Promise<Models> {
  const { ChatOpenAI } = await import("@langchain/openai");
  const chat = () => new ChatOpenAI({ model, temperature: 0 });
  return { planner: chat(), researcher: chat(), writer: chat(), description: `OpenAI ${model}` };
}

/** OPENAI_API_KEY picks the real models (OPENAI_MODEL, default gpt-4.1-mini); otherwise scripted. */
export function chooseModels(env: NodeJS.ProcessEnv = process.env): Promise<Models> {
  return env.OPENAI_API_KEY
    ? openAiModels(env.OPENAI_MODEL ?? "gpt-4.1-mini")
    : Promise.resolve(scriptedModels());
}
