/**
 * The README's AI SDK 7 code: sessions given per call in `toolsContext`, a
 * planner delegating to a worker, and `toolApproval` holding Writ's part.
 */
import type { AgentIdentity, Guard, Session } from "@writ/core";
import { generateText, type LanguageModel, type ModelMessage, stepCountIs, tool } from "ai";
import { z } from "zod";
import { withWrit, writSession, writToolApproval, writToolsContext } from "../../src/index.js";
import { actions, refundTools } from "../tools.js";

const prompt = "Refund order 7.";

/** One refund, with the session given per call the AI SDK 7 way; the amounts refunded. */
export async function perCallSessionOn7(guard: Guard, session: Session, model: LanguageModel) {
  const { tools: refunds, ran } = refundTools();
  const tools = withWrit(refunds, { guard, actions });
  await generateText({ model, tools, prompt, toolsContext: writToolsContext(tools, session) }); // 7
  return ran;
}

/** A planner whose tool delegates to a worker agent's own loop (AI SDK 7); what the worker refunded. */
export async function delegateToWorker(options: {
  readonly guard: Guard;
  readonly session: Session;
  readonly worker: AgentIdentity;
  readonly plannerModel: LanguageModel;
  readonly model: LanguageModel;
}) {
  const { guard, worker, model } = options;
  const { tools: refunds, ran } = refundTools();
  const workerTools = withWrit(refunds, { guard, actions });
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
            toolsContext: writToolsContext(workerTools, session), // AI SDK 6: experimental_context: { session }
            stopWhen: stepCountIs(3),
          });
          return text;
        },
      }),
    },
    { guard, actions: { ask_refund_worker: "refunds.delegate" } },
  );
  await generateText({
    model: options.plannerModel,
    tools: plannerTools,
    prompt,
    toolsContext: writToolsContext(plannerTools, options.session),
    stopWhen: stepCountIs(3),
  });
  return ran;
}

/** A run with AI SDK 7's toolApproval holding Writ's part: the calls it asked a person about, and the amounts refunded. */
export async function toolApprovalWithWrit(
  guard: Guard,
  session: Session,
  model: LanguageModel,
  messages: ModelMessage[],
) {
  const { tools: refunds, ran } = refundTools();
  const tools = withWrit(refunds, { guard, session, actions });
  const toolApproval = writToolApproval(({ toolCall }) =>
    toolCall.toolName === "delete_file" ? "user-approval" : undefined,
  );
  const result = await generateText({ model, tools, messages, toolApproval });
  const asked = result.content.filter((part) => part.type === "tool-approval-request");
  return { asked: asked.map((part) => part.toolCall.toolCallId), ran };
}
