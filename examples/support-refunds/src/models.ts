/**
 * The chat models. Offline by default: scripted models that make exactly the
 * calls of the story, so the example runs without a network or a key. With
 * OPENAI_API_KEY set, both agents run on a real OpenAI model instead, and the
 * guard decides their calls the same way.
 */
import { randomUUID } from "node:crypto";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, fakeModel } from "langchain";
import { REFUND_QUEUE } from "./support-desk.js";

export interface Models {
  readonly planner: BaseChatModel;
  readonly worker: BaseChatModel;
  /** What to tell the reader: "scripted" or the real model's name. */
  readonly description: string;
}

/**
 * The story, scripted: the planner lists the queue and assigns all five
 * requests; the worker asks for each refund in turn, then sums up. Tool call
 * ids are unique per run, as a provider's are, so runs against one store
 * never share a call id in the ledger.
 */
export function scriptedModels(): Models {
  const run = randomUUID().slice(0, 8);
  const planner = fakeModel()
    .respondWithTools([{ name: "list_refund_requests", args: {}, id: `call_queue_${run}` }])
    .respondWithTools([
      {
        name: "assign_refund_worker",
        args: { orders: REFUND_QUEUE.map((request) => request.order) },
        id: `call_assign_${run}`,
      },
    ])
    .respond(
      new AIMessage(
        "I assigned the five open refund requests from customer C-1042 to refund-worker.",
      ),
    );
  let worker = fakeModel();
  for (const { order, amount, currency } of REFUND_QUEUE) {
    worker = worker.respondWithTools([
      { name: "approve_refund", args: { order, amount, currency }, id: `call_${order}_${run}` },
    ]);
  }
  worker = worker.respond(
    new AIMessage(
      "Refunded A-1001, A-1002 (with approval) and A-1004. A-1003 is above what I may approve. My authority was revoked before A-1005, so it is still open.",
    ),
  );
  return { planner, worker, description: "scripted (offline)" };
}

/** Real models, from @langchain/openai, loaded only when a key is set. */
export async function openAiModels(model: string): Promise<Models> {
  const { ChatOpenAI } = await import("@langchain/openai");
  return {
    planner: new ChatOpenAI({ model, temperature: 0 }),
    worker: new ChatOpenAI({ model, temperature: 0 }),
    description: `OpenAI ${model}`,
  };
}

/** OPENAI_API_KEY picks the real models (OPENAI_MODEL, default gpt-4.1-mini); otherwise scripted. */
export function chooseModels(env: NodeJS.ProcessEnv = process.env): Promise<Models> {
  return env.OPENAI_API_KEY
    ? openAiModels(env.OPENAI_MODEL ?? "gpt-4.1-mini")
    : Promise.resolve(scriptedModels());
}
