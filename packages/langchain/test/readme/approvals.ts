/** The README's approvals: a refund that needs a human pauses the run; the reviewer's answer resumes it. */
import { Command, MemorySaver } from "@langchain/langgraph";
import type { Guard, Session } from "@writ/core";
import { writMiddleware } from "@writ/langchain";
import { AIMessage, createAgent, fakeModel, tool } from "langchain";
import { z } from "zod";

/** Asks for a refund of `amount` on a new thread, then answers its approval request. */
export async function reviewRefund(
  guard: Guard,
  session: Session,
  amount: number,
  approve: boolean,
) {
  const refunded: number[] = [];
  const approveRefund = tool(
    async ({ amount }) => {
      refunded.push(amount);
      return `refunded ${amount}`;
    },
    {
      name: "approve_refund",
      description: "Refund an order.",
      schema: z.object({ amount: z.number() }),
    },
  );
  const agent = createAgent({
    model: fakeModel()
      .respondWithTools([{ name: "approve_refund", args: { amount }, id: "call-1" }])
      .respond(new AIMessage("Done.")),
    tools: [approveRefund],
    middleware: [writMiddleware({ guard, actions: { approve_refund: "refunds.approve" } })],
    checkpointer: new MemorySaver(),
  });
  const config = { configurable: { thread_id: "refund" }, context: { writSession: session } };
  const paused = await agent.invoke({ messages: [{ role: "user", content: "Refund." }] }, config);
  if (approve) {
    await agent.invoke(
      new Command({ resume: { decisions: [{ type: "approve", by: "ops@example.com" }] } }),
      config,
    );
  } else {
    await agent.invoke(
      new Command({ resume: { decisions: [{ type: "reject", message: "Open a ticket." }] } }),
      config,
    );
  }
  return { request: paused.__interrupt__?.[0]?.value, refunded };
}
