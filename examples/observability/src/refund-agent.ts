/**
 * A refund agent on the Vercel AI SDK: a scripted model asks for two
 * refunds, Writ allows the one under the user's $100 limit and refuses the
 * other. With OpenTelemetry registered, the AI SDK traces the run and its
 * tool calls, and each Writ decision is a `writ.authorize` span under the AI
 * SDK's `execute_tool approve_refund` span, with the tool's run
 * (`writ.run_tool`) under it. Arguments stay out of the trace: Writ never
 * records them, and the AI SDK is told not to.
 */
import { withWrit } from "@writ/ai-sdk";
import { createAgentIdentity, createGuard, Session } from "@writ/core";
import type { StoreBackend } from "@writ/store";
import { generateText, stepCountIs, tool } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { z } from "zod";

export const AUDIENCE = "urn:writ:example:observability";

type GenerateResult = Awaited<ReturnType<MockLanguageModelV3["doGenerate"]>>;
const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 1, text: 1, reasoning: 0 },
};

/** Two refunds in one step, then a summary: the first is within the limit, the second is not. */
function scriptedModel(): MockLanguageModelV3 {
  let step = 0;
  return new MockLanguageModelV3({
    doGenerate: async (): Promise<GenerateResult> => {
      step += 1;
      if (step === 1) {
        return {
          content: [
            { order: "A-1001", amount: 40 },
            { order: "A-1002", amount: 400 },
          ].map((input, index) => ({
            type: "tool-call",
            toolCallId: `call_${index + 1}`,
            toolName: "approve_refund",
            input: JSON.stringify(input),
          })),
          finishReason: { unified: "tool-calls", raw: undefined },
          usage,
          warnings: [],
        };
      }
      return {
        content: [{ type: "text", text: "Refunded A-1001; A-1002 needs a human." }],
        finishReason: { unified: "stop", raw: undefined },
        usage,
        warnings: [],
      };
    },
  });
}

export async function runRefundAgent(store: StoreBackend): Promise<{ refunded: string[] }> {
  const agent = createAgentIdentity("refund-agent");
  await store.putUser({ id: "alice", permissions: "refunds.approve(amount < 100)" });
  await store.putAgent({ id: agent.id, policy: "refunds.approve", keys: [agent] });
  const guard = await createGuard({
    backend: store,
    issuer: await store.issuerKeys(),
    audience: AUDIENCE,
  });
  const refunded: string[] = [];
  try {
    const session = new Session(agent, await store.issue({ user: "alice", agent: agent.id }));
    const tools = withWrit(
      {
        approve_refund: tool({
          description: "Refund an order.",
          inputSchema: z.object({ order: z.string(), amount: z.number() }),
          execute: async ({ order }) => {
            refunded.push(order);
            return `refunded ${order}`;
          },
        }),
      },
      { guard, session, actions: { approve_refund: "refunds.approve" } },
    );
    await generateText({
      model: scriptedModel(),
      tools,
      prompt: "Refund orders A-1001 ($40) and A-1002 ($400).",
      stopWhen: stepCountIs(3),
      telemetry: { functionId: "refund-agent", recordInputs: false, recordOutputs: false },
    });
    return { refunded };
  } finally {
    await guard.close();
  }
}
