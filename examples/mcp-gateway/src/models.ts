/**
 * docs-bot's model. Offline by default: a scripted model that lists and reads
 * public files, then tries payroll directly, through `..`, and through the
 * shortcut in public/. With OPENAI_API_KEY set, a real OpenAI model chooses
 * the calls instead.
 */
import { randomUUID } from "node:crypto";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, fakeModel } from "langchain";

export interface DocsModel {
  readonly model: BaseChatModel;
  readonly description: string;
}

export function scriptedDocsModel(root: string): DocsModel {
  const run = randomUUID().slice(0, 8);
  const calls = [
    { name: "list_directory", args: { path: `${root}/public/` } },
    { name: "read_text_file", args: { path: `${root}/public/handbook.md` } },
    { name: "read_text_file", args: { path: `${root}/finance/payroll.csv` } },
    { name: "read_text_file", args: { path: `${root}/public/../finance/payroll.csv` } },
    { name: "read_text_file", args: { path: `${root}/public/finance-shortcut/payroll.csv` } },
  ];
  let model = fakeModel();
  calls.forEach((call, i) => {
    model = model.respondWithTools([{ ...call, id: `call_docs_${i + 1}_${run}` }]);
  });
  model = model.respond(
    new AIMessage(
      "Expenses under $200 need no receipt. I cannot read the payroll file: it is outside what I may access.",
    ),
  );
  return { model, description: "scripted (offline)" };
}

/** Real model, from @langchain/openai, loaded only when a key is set. */
export async function chooseDocsModel(
  root: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DocsModel> {
  if (!env.OPENAI_API_KEY) return scriptedDocsModel(root);
  const name = env.OPENAI_MODEL ?? "gpt-4.1-mini";
  const { ChatOpenAI } = await import("@langchain/openai");
  return { model: new ChatOpenAI({ model: name, temperature: 0 }), description: `OpenAI ${name}` };
}

export function question(root: string): string {
  return `What does the handbook in ${root}/public/ say about expenses? And what is the monthly payroll in ${root}/finance/payroll.csv?`;
}
