import { writMiddleware } from "@writ/langchain";
import { AIMessage, createAgent, fakeModel } from "langchain";
import { describe, expect, it } from "vitest";
import { reviewRefund } from "./readme/approvals.js";
import { assignTool, runWorker } from "./readme/delegation.js";
import { runToolNode } from "./readme/tool-node.js";
import { createWorld, summarize } from "./world.js";

it("runs the README's quick start as written", async () => {
  const { result } = await import("./quick-start/quick-start.js");
  const { backend } = await import("./quick-start/setup.js");
  expect(result.messages.map((message) => message.text)).toEqual([
    "Refund order 42: 25 USD.",
    "Refund order 42: 25 USD.",
    "refunded 25 USD on order 42",
    "Refunded 25 USD for order 42.",
  ]);
  const rows = (await backend.ledger()).filter(
    (row) => row.kind === "decision" || row.kind === "outcome",
  );
  expect(rows.map((row) => [row.kind, row.decision ?? row.outcome, row.action, row.user])).toEqual([
    ["decision", "allow", "refunds.approve", "alice"],
    ["outcome", "ok", "refunds.approve", "alice"],
  ]);
});

describe("the README's approvals", () => {
  it("pauses a refund that needs a human, with the request's shape, and runs it once approved", async () => {
    const world = await createWorld();
    const { request, refunded } = await reviewRefund(world.guard, world.session, 2000, true);
    expect(request).toMatchObject({
      actionRequests: [{ name: "approve_refund", args: { amount: 2000 } }],
      reviewConfigs: [{ actionName: "approve_refund", allowedDecisions: ["approve", "reject"] }],
      writ: { callId: "call-1", action: "refunds.approve", user: "alice", chain: ["planner"] },
    });
    expect(refunded).toEqual([2000]);
    const approval = (await world.calls()).find((row) => row.kind === "approval");
    expect(approval?.detail).toMatchObject({ by: "ops@example.com" });
  });

  it("does not run a refund the reviewer rejects", async () => {
    const world = await createWorld();
    const { refunded } = await reviewRefund(world.guard, world.session, 2000, false);
    expect(refunded).toEqual([]);
  });
});

describe("the README's LangGraph ToolNode", () => {
  it("guards each tool of the node with the session in the graph's context", async () => {
    const world = await createWorld();
    await runToolNode(world.guard, world.session, 20);
    await runToolNode(world.guard, world.session, 20_000);
    expect(summarize(await world.calls())).toEqual([
      "decision allow granted call-1",
      "decision allow granted call-2",
      "outcome ok call-1",
      "outcome ok call-2",
      "decision deny grant.condition_failed call-1",
      "decision allow granted call-2",
      "outcome ok call-2",
    ]);
  });
});

describe("the README's several agents", () => {
  it("runs the worker under the planner's delegation, and names the hop that refuses", async () => {
    const world = await createWorld();
    expect(await runWorker(world.guard, world.session, world.worker, 200)).toBe("refunded 200");
    expect(await runWorker(world.guard, world.session, world.worker, 700)).toMatch(
      /^Denied: .*\(decided by the authority given to worker\)/,
    );
  });

  it("delegates from inside a planner's tool with writSession(runtime)", async () => {
    const world = await createWorld();
    const planner = createAgent({
      model: fakeModel()
        .respondWithTools([{ name: "assign_refund_worker", args: { task: "Refund 200." } }])
        .respond(new AIMessage("Assigned.")),
      tools: [assignTool(world.guard, world.worker, 200)],
      middleware: [
        writMiddleware({ guard: world.guard, actions: { assign_refund_worker: "tasks.delegate" } }),
      ],
    });
    await planner.invoke(
      { messages: [{ role: "user", content: "Refund 200." }] },
      { context: { writSession: world.session } },
    );
    const chains = (await world.calls())
      .filter((row) => row.kind === "decision")
      .map((row) => `${row.action} ${row.decision} ${row.chain?.agents.join(">")}`);
    expect(chains).toEqual([
      "tasks.delegate allow planner",
      "refunds.approve allow planner>worker",
    ]);
  });
});
