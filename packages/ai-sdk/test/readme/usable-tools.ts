/** The README's usable tools: the model is offered only the tools a session could ever use. */
import type { Guard, Session } from "@writ/core";
import { generateText, type LanguageModel } from "ai";
import { usableTools, withWrit } from "../../src/index.js";
import { actions, refundTools } from "../tools.js";

const prompt = "Refund order 7.";

/** One run with a refund tool the session may use and a file tool it may not. */
export async function runWithUsableTools(guard: Guard, session: Session, model: LanguageModel) {
  const { tools: refunds } = refundTools();
  const tools = withWrit(
    { ...refunds, delete_file: refunds.approve_refund },
    { guard, session, actions: { ...actions, delete_file: "files.delete" } },
  );
  await generateText({ model, tools, prompt, activeTools: usableTools(tools, session) });
}
