// scripted-model.ts: stands in for a provider's model so the quick start runs offline.
import { MockLanguageModelV3 } from "ai/test";

const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 1, text: 1, reasoning: 0 },
};
const refund = (toolCallId: string, amount: number) => ({
  type: "tool-call" as const,
  toolCallId,
  toolName: "approve_refund",
  input: JSON.stringify({ amount }),
});

/** Asks for refunds of 20 and 5000 in its first step, then answers. */
export const model = new MockLanguageModelV3({
  doGenerate: [
    {
      content: [refund("call-1", 20), refund("call-2", 5000)],
      finishReason: { unified: "tool-calls", raw: undefined },
      usage,
      warnings: [],
    },
    {
      content: [{ type: "text", text: "I refunded 20; 5000 is above what I may approve." }],
      finishReason: { unified: "stop", raw: undefined },
      usage,
      warnings: [],
    },
  ],
});
