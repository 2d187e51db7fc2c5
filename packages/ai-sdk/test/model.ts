import { convertArrayToReadableStream, MockLanguageModelV3 } from "ai/test";

// The provider types, taken from the mock model ("@ai-sdk/provider" is not a dependency of ours).
type GenerateResult = Awaited<ReturnType<MockLanguageModelV3["doGenerate"]>>;
type Content = GenerateResult["content"][number];
type CallOptions = MockLanguageModelV3["doGenerateCalls"][number];
type StreamPart =
  Awaited<ReturnType<MockLanguageModelV3["doStream"]>>["stream"] extends ReadableStream<infer PART>
    ? PART
    : never;
type ToolResultOutput = Extract<
  Extract<CallOptions["prompt"][number], { role: "tool" }>["content"][number],
  { type: "tool-result" }
>["output"];

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 5, text: 5, reasoning: undefined },
};

/** One model turn: tool calls or text. */
export type Turn =
  | { readonly calls: readonly { id: string; tool: string; input: unknown }[] }
  | { readonly text: string };

export const call = (tool: string, input: unknown, id = "call-1"): Turn => ({
  calls: [{ id, tool, input }],
});
export const say = (text: string): Turn => ({ text });

function contentOf(turn: Turn): Content[] {
  return "text" in turn
    ? [{ type: "text", text: turn.text }]
    : turn.calls.map(({ id, tool, input }) => ({
        type: "tool-call",
        toolCallId: id,
        toolName: tool,
        input: JSON.stringify(input),
      }));
}

const finishOf = (turn: Turn) =>
  ({ unified: "text" in turn ? "stop" : "tool-calls", raw: undefined }) as const;

/** A model that plays its turns in order, through doGenerate and doStream alike. */
export function scriptedModel(turns: readonly Turn[]): MockLanguageModelV3 {
  let next = 0;
  const take = (): Turn => {
    const turn = turns[next++];
    if (turn === undefined) throw new Error(`The scripted model has no turn ${next}.`);
    return turn;
  };
  return new MockLanguageModelV3({
    doGenerate: async (): Promise<GenerateResult> => {
      const turn = take();
      return { content: contentOf(turn), finishReason: finishOf(turn), usage, warnings: [] };
    },
    doStream: async () => {
      const turn = take();
      const parts: StreamPart[] = [{ type: "stream-start", warnings: [] }];
      for (const part of contentOf(turn)) {
        if (part.type === "text") {
          parts.push(
            { type: "text-start", id: "t" },
            { type: "text-delta", id: "t", delta: part.text },
            { type: "text-end", id: "t" },
          );
        } else if (part.type === "tool-call") {
          parts.push(part);
        }
      }
      parts.push({ type: "finish", finishReason: finishOf(turn), usage });
      return { stream: convertArrayToReadableStream(parts) };
    },
  });
}

/** What the model was shown, in a later step's prompt, as the result of one tool call. */
export function toolResultSeen(
  calls: readonly CallOptions[],
  step: number,
  toolCallId = "call-1",
): ToolResultOutput | undefined {
  const prompt = calls[step]?.prompt ?? [];
  for (const message of prompt) {
    if (message.role !== "tool") continue;
    for (const part of message.content) {
      if (part.type === "tool-result" && part.toolCallId === toolCallId) return part.output;
    }
  }
  return undefined;
}
