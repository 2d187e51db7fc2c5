import {
  END,
  type LangGraphRunnableConfig,
  MessagesAnnotation,
  START,
  StateGraph,
} from "@langchain/langgraph";
import { ToolNode } from "@langchain/langgraph/prebuilt";
import type { Session } from "@writ/core";
import { AIMessage, createAgent, fakeModel, HumanMessage, ToolMessage, tool } from "langchain";
import { expect, it } from "vitest";
import { z } from "zod";
import { withWrit, writMiddleware } from "../src/index.js";
import { createWorld, REFUND_ACTIONS, refundTool, summarize } from "./world.js";

const ACTIONS = { ...REFUND_ACTIONS, send_email: "email.send", ask_subworker: "tasks.delegate" };

it("carries a three-hop writ from planner to worker to sub-worker and names the hop that refuses", async () => {
  const world = await createWorld();
  const { guard } = world;
  const runs: number[] = [];
  const sent: string[] = [];
  const sendEmail = tool(async ({ to }) => sent.push(to) && `sent to ${to}`, {
    name: "send_email",
    description: "Send an email.",
    schema: z.object({ to: z.string() }),
  });

  // The sub-worker: a custom LangGraph graph whose ToolNode runs guarded tools.
  const subworkerModel = fakeModel().respondWithTools([
    { name: "approve_refund", args: { amount: 40 }, id: "sub-1" },
    { name: "approve_refund", args: { amount: 300 }, id: "sub-2" },
    { name: "send_email", args: { to: "customer@example.com" }, id: "sub-3" },
  ]);
  const subworker = new StateGraph(MessagesAnnotation)
    .addNode("model", async ({ messages }) => ({
      messages: [await subworkerModel.invoke(messages)],
    }))
    .addNode(
      "tools",
      new ToolNode(withWrit([refundTool(runs), sendEmail], { guard, actions: ACTIONS })),
    )
    .addEdge(START, "model")
    .addEdge("model", "tools")
    .addEdge("tools", END)
    .compile();

  // The worker: a createAgent agent whose tool hands work to the sub-worker under a narrower writ.
  const askSubworker = tool(
    async ({ task }, runtime) => {
      const workerSession = (runtime.context as { writSession: Session }).writSession;
      const subSession = workerSession.delegate(world.subworker, {
        grants: "refunds.approve(amount < 100)",
      });
      const result = await subworker.invoke(
        { messages: [new HumanMessage(task)] },
        { context: { writSession: subSession } },
      );
      return result.messages
        .filter((m) => ToolMessage.isInstance(m))
        .map((m) => `${m.tool_call_id}: ${m.text}`)
        .join("\n");
    },
    {
      name: "ask_subworker",
      description: "Delegate a task to the sub-worker.",
      schema: z.object({ task: z.string() }),
    },
  );
  const workerModel = fakeModel()
    .respondWithTools([
      { name: "ask_subworker", args: { task: "Refund and notify." }, id: "work-1" },
    ])
    .respond(new AIMessage("Worker done."));
  const worker = createAgent({
    model: workerModel,
    tools: [askSubworker],
    middleware: [writMiddleware({ guard, actions: ACTIONS })],
  });

  // The planner: a graph node that delegates to the worker with session.delegate().
  const planner = new StateGraph(MessagesAnnotation)
    .addNode("plan", async ({ messages }, config: LangGraphRunnableConfig) => {
      const plannerSession = (config.context as { writSession: Session }).writSession;
      const workerSession = plannerSession.delegate(world.worker, {
        grants: "refunds.approve(amount < 500); tasks.delegate",
      });
      const result = await worker.invoke({ messages }, { context: { writSession: workerSession } });
      return { messages: result.messages.slice(messages.length) };
    })
    .addEdge(START, "plan")
    .addEdge("plan", END)
    .compile();

  const result = await planner.invoke(
    { messages: [new HumanMessage("Handle order 42.")] },
    { context: { writSession: world.session } },
  );

  expect(runs).toEqual([40]);
  expect(sent).toEqual([]);
  expect(result.messages.at(-1)?.content).toBe("Worker done.");
  const report = String(workerModel.calls[1]?.messages.at(-1)?.content);
  expect(report).toContain("sub-1: refunded 40");
  expect(report).toMatch(
    /sub-2: Denied: the argument "amount".*decided by the authority given to subworker/,
  );
  expect(report).toMatch(
    /sub-3: Denied: this agent is not authorized to perform email.send \(decided by the authority given to worker\)/,
  );

  const rows = await world.calls();
  const byCall = new Map(
    rows.filter((row) => row.kind === "decision").map((row) => [row.callId, row]),
  );
  expect(byCall.get("work-1")?.chain?.agents).toEqual(["planner", "worker"]);
  expect(byCall.get("sub-1")?.chain?.agents).toEqual(["planner", "worker", "subworker"]);
  expect(byCall.get("sub-2")?.detail).toMatchObject({
    hop: 2,
    decidedBy: "subworker",
    path: "amount",
  });
  expect(byCall.get("sub-3")?.detail).toMatchObject({ hop: 1, decidedBy: "worker" });
  expect(summarize(rows).sort()).toEqual([
    "decision allow granted sub-1",
    "decision allow granted work-1",
    "decision deny grant.action_not_granted sub-3",
    "decision deny grant.condition_failed sub-2",
    "outcome ok sub-1",
    "outcome ok work-1",
  ]);
});
