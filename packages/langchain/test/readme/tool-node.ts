/** The README's LangGraph section: guarded tools in the ToolNode of a custom graph. */
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { ToolNode } from "@langchain/langgraph/prebuilt";
import type { Guard, Session } from "@writ/core";
import { withWrit } from "@writ/langchain";
import { AIMessage, tool } from "langchain";
import { z } from "zod";

/** Runs the model's two tool calls (a refund of `amount`, an email) through the graph. */
export async function runToolNode(guard: Guard, session: Session, amount: number) {
  const approveRefund = tool(async ({ amount }) => `refunded ${amount}`, {
    name: "approve_refund",
    description: "Refund an order.",
    schema: z.object({ amount: z.number() }),
  });
  const sendEmail = tool(async ({ to }) => `sent to ${to}`, {
    name: "send_email",
    description: "Send an email.",
    schema: z.object({ to: z.string() }),
  });

  const tools = withWrit([approveRefund, sendEmail], {
    guard,
    actions: { approve_refund: "refunds.approve", send_email: "email.send" },
  });
  const node = new ToolNode(tools);
  const graph = new StateGraph(MessagesAnnotation)
    .addNode("tools", node)
    .addEdge(START, "tools")
    .addEdge("tools", END)
    .compile();
  const input = {
    messages: [
      new AIMessage({
        content: "",
        tool_calls: [
          { name: "approve_refund", args: { amount }, id: "call-1" },
          { name: "send_email", args: { to: "customer@example.com" }, id: "call-2" },
        ],
      }),
    ],
  };
  await graph.invoke(input, { context: { writSession: session } });
}
