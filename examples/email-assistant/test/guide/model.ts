// model.ts: your model; in your app, openai("gpt-4.1-mini") from @ai-sdk/openai.
// This guide's test scripts one, offline: three requests, one tool call each.
import type { LanguageModel } from "ai";
import { MockLanguageModelV3 } from "ai/test";

const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 1, text: 1, reasoning: 0 },
};
const call = (toolCallId: string, toolName: string, input: unknown) => ({
  content: [{ type: "tool-call" as const, toolCallId, toolName, input: JSON.stringify(input) }],
  finishReason: { unified: "tool-calls" as const, raw: undefined },
  usage,
  warnings: [],
});
const say = (text: string) => ({
  content: [{ type: "text" as const, text }],
  finishReason: { unified: "stop" as const, raw: undefined },
  usage,
  warnings: [],
});

export const model: LanguageModel = new MockLanguageModelV3({
  doGenerate: [
    call("call-1", "send_email", { to: "dana@acme.example", subject: "Notes", body: "Hi Dana…" }),
    say("Sent Dana the notes."),
    call("call-2", "send_email", { to: "lee@globex.example", subject: "Intro", body: "Hi Lee…" }),
    say("Sent Lee the introduction."),
    call("call-3", "delete_email", { id: "m-17" }),
    say("I am not allowed to delete email."),
    call("call-4", "send_email", { to: "kim@initech.example", subject: "Offer", body: "Hi Kim…" }),
    say("I did not send Kim the offer."),
  ],
});
