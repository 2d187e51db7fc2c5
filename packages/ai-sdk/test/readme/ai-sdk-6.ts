/** The README's per-call session on AI SDK 6: `experimental_context`. */
import type { Guard, Session } from "@writ/core";
import { generateText, type LanguageModel } from "ai";
import { withWrit } from "../../src/index.js";
import { actions, refundTools } from "../tools.js";

const prompt = "Refund order 7.";

/** One refund, with the session given per call the AI SDK 6 way; the amounts refunded. */
export async function perCallSessionOn6(guard: Guard, session: Session, model: LanguageModel) {
  const { tools: refunds, ran } = refundTools();
  const tools = withWrit(refunds, { guard, actions });
  await generateText({ model, tools, prompt, experimental_context: { session } }); // 6
  return ran;
}
