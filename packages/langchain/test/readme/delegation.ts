/** The README's sections on several agents: a planner's tool delegates to a worker agent. */
import type { AgentIdentity, Guard, Session } from "@writ/core";
import { writMiddleware, writSession } from "@writ/langchain";
import { AIMessage, createAgent, fakeModel, tool } from "langchain";
import { z } from "zod";

/** The worker agent: it asks for a refund of `amount`, and says what it was told. */
function refundWorker(guard: Guard, amount: number) {
  const approveRefund = tool(async ({ amount }) => `refunded ${amount}`, {
    name: "approve_refund",
    description: "Refund an order.",
    schema: z.object({ amount: z.number() }),
  });
  return createAgent({
    model: fakeModel()
      .respondWithTools([{ name: "approve_refund", args: { amount }, id: `refund-${amount}` }])
      .respond(new AIMessage("Done.")),
    tools: [approveRefund],
    middleware: [writMiddleware({ guard, actions: { approve_refund: "refunds.approve" } })],
  });
}

/** The planner's tool, run inside the planner's guarded call: hands the task to the worker. */
export function assignTool(guard: Guard, worker: AgentIdentity, amount: number) {
  const workerAgent = refundWorker(guard, amount);
  const assign = tool(
    async ({ task }, runtime) => {
      const session = writSession(runtime).delegate(worker, {
        grants: "refunds.approve(amount < 500)",
      });
      const result = await workerAgent.invoke(
        { messages: [{ role: "user", content: task }] },
        { context: { writSession: session } },
      );
      return result.messages.at(-1)?.text ?? "";
    },
    { name: "assign_refund_worker", schema: z.object({ task: z.string() }) },
  );
  return assign;
}

/** The worker's run under the planner's delegation: what the refund tool answered. */
export async function runWorker(
  guard: Guard,
  plannerSession: Session,
  workerIdentity: AgentIdentity,
  amount: number,
) {
  const workerAgent = refundWorker(guard, amount);
  const input = { messages: [{ role: "user", content: `Refund ${amount}.` }] };
  const workerSession = plannerSession.delegate(workerIdentity, {
    grants: "refunds.approve(amount < 500)",
  });
  const result = await workerAgent.invoke(input, { context: { writSession: workerSession } });
  // "Denied: … (decided by the authority given to worker)"
  return result.messages.find((message) => message.type === "tool")?.text;
}
