/**
 * The README's sections on sessions, as an app writes them: a guarded tool set
 * shared between users, the tools a session can use, and a planner that hands
 * work to a worker under a narrower writ. `readme.test.ts` runs them.
 */
import type { AgentIdentity, Guard, Session } from "@writ/core";
import { generateText, type LanguageModel, type ToolSet, tool } from "ai";
import { z } from "zod";
import { usableTools, withWrit, writSession } from "../../src/index.js";

/** One turn over a tool set shared between users: the session comes with the call. */
export async function askShared(
  model: LanguageModel,
  tools: ToolSet,
  prompt: string,
  session: Session,
) {
  await generateText({ model, tools, prompt, experimental_context: { session } });
}

/** One turn offering the model only the tools the session could ever use. */
export async function askUsable(
  model: LanguageModel,
  tools: ToolSet,
  prompt: string,
  session: Session,
) {
  await generateText({ model, tools, prompt, activeTools: usableTools(tools, session) });
}

/** The planner's tools: one hands a task to the refund worker, with a refund limit. */
export function plannerToolsFor(
  guard: Guard,
  worker: AgentIdentity,
  model: LanguageModel,
  workerTools: ToolSet,
) {
  const plannerTools = withWrit(
    {
      ask_refund_worker: tool({
        inputSchema: z.object({ task: z.string() }),
        execute: async ({ task }, options) => {
          const session = writSession(options).delegate(worker, {
            grants: "refunds.approve(amount < 100)",
          });
          const { text } = await generateText({
            model,
            tools: workerTools, // withWrit(…, { guard }), with no session of its own
            prompt: task,
            experimental_context: { session },
          });
          return text;
        },
      }),
    },
    { guard, actions: { ask_refund_worker: "refunds.delegate" } },
  );
  return plannerTools;
}
