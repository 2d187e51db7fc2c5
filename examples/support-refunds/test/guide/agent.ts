// agent.ts: your agent and its tools, with one line of Writ.
import { MemorySaver } from "@langchain/langgraph";
import { writMiddleware } from "@writ/langchain";
import { createAgent, tool } from "langchain";
import { z } from "zod";
import { model } from "./model.js";
import { guard } from "./writ.js";

const approveRefund = tool(async ({ order, amount }) => `Refunded ${amount} USD on ${order}.`, {
  name: "approve_refund",
  description: "Refund an order, in USD.",
  schema: z.object({ order: z.string(), amount: z.number() }),
});

export const agent = createAgent({
  model,
  tools: [approveRefund],
  middleware: [writMiddleware({ guard, actions: { approve_refund: "refunds.approve" } })],
  checkpointer: new MemorySaver(), // a run waiting for an approval resumes from its checkpoint
});
