import { AIMessage, type ToolMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import {
  Command,
  END,
  type LangGraphRunnableConfig,
  MemorySaver,
  MessagesAnnotation,
  START,
  StateGraph,
} from "@langchain/langgraph";
import { ToolNode } from "@langchain/langgraph/prebuilt";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type WritApprovalRequest, withWrit } from "../src/index.js";
import { createWorld, REFUND_ACTIONS, refundTool, summarize } from "./world.js";

function toolCalls(...calls: [string, Record<string, unknown>, string][]) {
  return new AIMessage({
    content: "",
    tool_calls: calls.map(([name, args, id]) => ({ name, args, id, type: "tool_call" as const })),
  });
}

describe("withWrit", () => {
  it("keeps each tool's name, description, schema, returnDirect and response format", async () => {
    const world = await createWorld();
    const schema = z.object({ query: z.string() });
    const search = tool(async ({ query }) => [`found ${query}`, { hits: 1 }], {
      name: "docs.search",
      description: "Search the docs.",
      schema,
      returnDirect: true,
      responseFormat: "content_and_artifact",
    });
    const [guarded] = withWrit([search], { guard: world.guard });
    expect(guarded).toMatchObject({
      name: "docs.search",
      description: "Search the docs.",
      schema,
      returnDirect: true,
      responseFormat: "content_and_artifact",
      action: "docs.search",
    });
    const refused = await guarded?.invoke(
      { name: "docs.search", args: { query: "refunds" }, id: "call-1", type: "tool_call" },
      { configurable: { writSession: world.session } },
    );
    expect(refused).toMatchObject({
      status: "error",
      content: expect.stringContaining("not authorized to perform docs.search"),
    });
  });

  it("guards a LangGraph ToolNode, with the session in config.configurable or config.context", async () => {
    const world = await createWorld();
    const runs: number[] = [];
    const node = new ToolNode(
      withWrit([refundTool(runs)], { guard: world.guard, actions: REFUND_ACTIONS }),
    );
    const message = toolCalls(
      ["approve_refund", { amount: "30" }, "call-1"],
      ["approve_refund", { amount: 20000 }, "call-2"],
      ["approve_refund", { amount: "lots" }, "call-3"],
    );
    const { messages } = await node.invoke(
      { messages: [message] },
      { configurable: { writSession: world.session } },
    );
    expect(runs).toEqual([30]);
    expect(messages.map((m: ToolMessage) => [m.tool_call_id, m.status])).toEqual([
      ["call-1", "success"],
      ["call-2", "error"],
      ["call-3", "error"],
    ]);
    expect(messages[0].content).toBe("refunded 30");
    expect(messages[1].content).toContain('Denied: the argument "amount"');
    expect(messages[2].content).toContain("did not match expected schema");
    // ToolNode runs the calls concurrently.
    expect(summarize(await world.calls()).sort()).toEqual([
      "decision allow granted call-1",
      "decision deny grant.condition_failed call-2",
      "outcome ok call-1",
    ]);

    const inContext: LangGraphRunnableConfig = { context: { writSession: world.session } };
    const again = await node.invoke(
      { messages: [toolCalls(["approve_refund", { amount: 40 }, "call-4"])] },
      inContext,
    );
    expect(again.messages[0].content).toBe("refunded 40");
    await expect(
      node.invoke({ messages: [toolCalls(["approve_refund", { amount: 1 }, "call-5"])] }),
    ).resolves.toMatchObject({
      messages: [{ status: "error", content: expect.stringContaining("writSession") }],
    });
    const worker = world.session.delegate(world.worker, { grants: "refunds.approve(amount < 50)" });
    const both: LangGraphRunnableConfig = { ...inContext, configurable: { writSession: worker } };
    const nested = await node.invoke(
      { messages: [toolCalls(["approve_refund", { amount: 45 }, "call-6"])] },
      both,
    );
    expect(nested.messages[0]).toMatchObject({
      status: "error",
      content: expect.stringContaining("are different sessions"),
    });
    expect(runs).toEqual([30, 40]);
  });

  it("interrupts a graph for approval and runs the tool once it is approved", async () => {
    const world = await createWorld();
    const runs: number[] = [];
    const graph = new StateGraph(MessagesAnnotation)
      .addNode(
        "tools",
        new ToolNode(withWrit([refundTool(runs)], { guard: world.guard, actions: REFUND_ACTIONS })),
      )
      .addEdge(START, "tools")
      .addEdge("tools", END)
      .compile({ checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: "t", writSession: world.session } };

    await graph.invoke(
      { messages: [toolCalls(["approve_refund", { amount: 4000 }, "call-1"])] },
      config,
    );
    const { tasks } = await graph.getState(config);
    const request = tasks[0]?.interrupts[0]?.value as WritApprovalRequest;
    expect(request.writ).toMatchObject({ action: "refunds.approve", callId: "call-1" });
    expect(runs).toEqual([]);

    const done = await graph.invoke(
      new Command({ resume: { decisions: [{ type: "approve" }] } }),
      config,
    );
    expect(runs).toEqual([4000]);
    expect(done.messages.at(-1)?.content).toBe("refunded 4000");
    const rows = await world.calls();
    expect(summarize(rows)).toEqual([
      "decision approval_required approval.required call-1",
      "approval allow approval.granted call-1",
      "decision allow approval.granted call-1",
      "outcome ok call-1",
    ]);
    expect(rows[1]?.detail).toMatchObject({ by: "langgraph-resume" });
  });

  it("runs a streaming tool to its result before recording the outcome", async () => {
    const world = await createWorld();
    const events: unknown[] = [];
    const progress = tool(
      async function* ({ to }: { to: string }) {
        yield { sent: 0 };
        return `sent to ${to}`;
      },
      { name: "send_email", description: "Send.", schema: z.object({ to: z.string() }) },
    );
    const [guarded] = withWrit([progress], {
      guard: world.guard,
      actions: { send_email: "email.send" },
    });
    const output = await guarded?.invoke(
      { name: "send_email", args: { to: "bob@example.com" }, id: "call-1", type: "tool_call" },
      {
        configurable: { writSession: world.session },
        callbacks: [{ handleToolEvent: (chunk: unknown) => void events.push(chunk) }],
      },
    );
    expect(output).toMatchObject({ content: "sent to bob@example.com", status: "success" });
    expect(events).toEqual([{ sent: 0 }]);
    expect(summarize(await world.calls())).toEqual([
      "decision allow granted call-1",
      "outcome ok call-1",
    ]);
  });

  it("refuses, when wrapping, tools whose names are not actions and are not mapped", async () => {
    const world = await createWorld();
    const lookup = tool(async () => "found", {
      name: "crm lookup",
      description: "Look up.",
      schema: z.object({}),
    });
    expect(() => withWrit([lookup], { guard: world.guard })).toThrow(
      /"crm lookup" has no valid Writ action/,
    );
    const mapped = withWrit([lookup], {
      guard: world.guard,
      actions: { "crm lookup": "crm.read" },
    });
    expect(mapped[0]?.action).toBe("crm.read");
    const tagged = tool(async () => "found", {
      name: "crm lookup",
      description: "Look up.",
      schema: z.object({}),
      metadata: { writAction: "crm.lookup" },
    });
    expect(withWrit([tagged], { guard: world.guard })[0]?.action).toBe("crm.lookup");
    const slashed = tool(async () => "found", {
      name: "crm/lookup",
      description: "Look up.",
      schema: z.object({}),
    });
    expect(withWrit([slashed], { guard: world.guard })[0]?.action).toBe("crm.lookup");
    const asked = withWrit([lookup, slashed], {
      guard: world.guard,
      actions: (name) => (name === "crm lookup" ? "crm.search" : undefined),
    });
    expect(asked.map((guarded) => guarded.action)).toEqual(["crm.search", "crm.lookup"]);
  });
});
