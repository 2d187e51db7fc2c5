import { Command, interrupt, MemorySaver } from "@langchain/langgraph";
import { canonicalJson, sha256Hex } from "@writ/core/backend";
import {
  AIMessage,
  type BaseMessage,
  createAgent,
  createMiddleware,
  fakeModel,
  ToolMessage,
  tool,
} from "langchain";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type WritApprovalRequest, writMiddleware } from "../src/index.js";
import { createWorld, REFUND_ACTIONS, refundTool, summarize, type World } from "./world.js";

type Model = ReturnType<typeof fakeModel>;

function refundAgent(world: World, model: Model, runs: number[]) {
  return createAgent({
    model,
    tools: [refundTool(runs)],
    middleware: [writMiddleware({ guard: world.guard, actions: REFUND_ACTIONS })],
    checkpointer: new MemorySaver(),
  });
}

function config(world: World, thread = "thread-1") {
  return { configurable: { thread_id: thread }, context: { writSession: world.session } };
}

const ask = { messages: [{ role: "user", content: "Please refund order 42." }] };

/** The tool messages the model was given on its `index`-th call. */
function toolMessagesSeen(model: Model, index: number): ToolMessage[] {
  const messages: BaseMessage[] = model.calls[index]?.messages ?? [];
  return messages.filter((message) => ToolMessage.isInstance(message));
}

function refund(amount: unknown, id = "call-1") {
  return [{ name: "approve_refund", args: { amount }, id }];
}

describe("writMiddleware", () => {
  it("runs an allowed call on the parsed arguments and records decision and outcome", async () => {
    const world = await createWorld();
    const runs: number[] = [];
    const model = fakeModel().respondWithTools(refund("20")).respond(new AIMessage("Refunded."));
    const result = await refundAgent(world, model, runs).invoke(ask, config(world));

    expect(runs).toEqual([20]);
    expect(toolMessagesSeen(model, 1).map((m) => [m.content, m.status])).toEqual([
      ["refunded 20", "success"],
    ]);
    expect(result.messages.at(-1)?.content).toBe("Refunded.");
    const rows = await world.calls();
    expect(summarize(rows)).toEqual(["decision allow granted call-1", "outcome ok call-1"]);
    // The condition amount < 1000 only holds for the coerced number: the guard saw 20, not "20".
    expect(rows[0]?.inputHash).toBe(sha256Hex(canonicalJson({ amount: 20 })));
    expect(rows.map((row) => [row.adapter, row.action, row.tool])).toEqual([
      ["langchain", "refunds.approve", "approve_refund"],
      ["langchain", "refunds.approve", "approve_refund"],
    ]);
  });

  it("returns a refusal outside a condition as an error ToolMessage, and the run goes on", async () => {
    const world = await createWorld();
    const runs: number[] = [];
    const model = fakeModel().respondWithTools(refund(20000)).respond(new AIMessage("I can't."));
    const result = await refundAgent(world, model, runs).invoke(ask, config(world));

    expect(runs).toEqual([]);
    const [refusal] = toolMessagesSeen(model, 1);
    expect(refusal?.status).toBe("error");
    expect(refusal?.content).toContain('Denied: the argument "amount"');
    expect(refusal?.content).not.toContain("20000");
    expect(result.messages.at(-1)?.content).toBe("I can't.");
    expect(summarize(await world.calls())).toEqual(["decision deny grant.condition_failed call-1"]);
  });

  it("refuses the next call once the writ is revoked in the middle of a run", async () => {
    const world = await createWorld();
    const runs: number[] = [];
    const revokingRefund = tool(
      async ({ amount }) => {
        runs.push(amount);
        await world.backend.revoke("hop", world.session.writ.leaf.claims.jti);
        return `refunded ${amount}`;
      },
      { name: "approve_refund", description: "Refund.", schema: z.object({ amount: z.number() }) },
    );
    const model = fakeModel()
      .respondWithTools(refund(10, "call-1"))
      .respondWithTools(refund(20, "call-2"))
      .respond(new AIMessage("Stopped."));
    const agent = createAgent({
      model,
      tools: [revokingRefund],
      middleware: [writMiddleware({ guard: world.guard, actions: REFUND_ACTIONS })],
    });
    const result = await agent.invoke(ask, { context: { writSession: world.session } });

    expect(runs).toEqual([10]);
    expect(toolMessagesSeen(model, 2).map((m) => [m.status, m.content])).toEqual([
      ["success", "refunded 10"],
      ["error", expect.stringContaining("revoked")],
    ]);
    expect(result.messages.at(-1)?.content).toBe("Stopped.");
    expect(summarize(await world.calls())).toEqual([
      "decision allow granted call-1",
      "outcome ok call-1",
      "decision deny revoked.hop call-2",
    ]);
  });

  it("interrupts for approval and, once approved, runs the tool exactly once", async () => {
    const world = await createWorld();
    const runs: number[] = [];
    const model = fakeModel().respondWithTools(refund(2500)).respond(new AIMessage("Done."));
    const agent = refundAgent(world, model, runs);

    const paused = await agent.invoke(ask, config(world));
    const [pending] = paused.__interrupt__ ?? [];
    const request = pending?.value as WritApprovalRequest;
    expect(request.actionRequests).toEqual([
      { name: "approve_refund", args: { amount: 2500 }, description: expect.any(String) },
    ]);
    expect(request.reviewConfigs).toEqual([
      { actionName: "approve_refund", allowedDecisions: ["approve", "reject"] },
    ]);
    expect(request.writ).toMatchObject({
      callId: "call-1",
      action: "refunds.approve",
      user: "alice",
      agent: "planner",
    });
    expect(runs).toEqual([]);
    expect(summarize(await world.calls())).toEqual([
      "decision approval_required approval.required call-1",
    ]);

    // A malformed answer ("edit" is not offered) is refused, and the interrupt can be answered again.
    const edit = {
      decisions: [{ type: "edit", editedAction: { name: "approve_refund", args: {} } }],
    };
    await expect(agent.invoke(new Command({ resume: edit }), config(world))).rejects.toThrow(
      /is not supported: an approval covers exactly the arguments/,
    );
    expect(runs).toEqual([]);

    const resume = { decisions: [{ type: "approve", by: "ops@example.com" }] };
    const result = await agent.invoke(new Command({ resume }), config(world));
    expect(runs).toEqual([2500]);
    expect(result.messages.at(-1)?.content).toBe("Done.");
    expect(toolMessagesSeen(model, 1).map((m) => m.content)).toEqual(["refunded 2500"]);
    const rows = await world.calls();
    expect(summarize(rows)).toEqual([
      "decision approval_required approval.required call-1",
      "approval allow approval.granted call-1",
      "decision allow approval.granted call-1",
      "outcome ok call-1",
    ]);
    expect(rows[1]?.detail).toMatchObject({
      approvalId: request.writ.approvalId,
      by: "ops@example.com",
    });

    // Single use: the same approval cannot release the call again.
    const replay = await world.guard.authorize(
      world.guard.callFrom(world.session, {
        action: "refunds.approve",
        tool: "approve_refund",
        args: { amount: 2500 },
        callId: "call-1",
        approvalId: request.writ.approvalId,
      }),
    );
    expect([replay.effect, replay.code]).toEqual(["deny", "approval.consumed"]);
  });

  it("returns a rejected approval to the model without running the tool", async () => {
    const world = await createWorld();
    const runs: number[] = [];
    const model = fakeModel().respondWithTools(refund(2500)).respond(new AIMessage("Understood."));
    const agent = refundAgent(world, model, runs);
    await agent.invoke(ask, config(world));

    const resume = {
      decisions: [{ type: "reject", message: "Open a ticket for refunds this large." }],
    };
    const result = await agent.invoke(new Command({ resume }), config(world));
    expect(runs).toEqual([]);
    const [refusal] = toolMessagesSeen(model, 1);
    expect(refusal?.status).toBe("error");
    expect(refusal?.content).toContain("a human rejected refunds.approve");
    expect(refusal?.content).toContain("Open a ticket for refunds this large.");
    expect(result.messages.at(-1)?.content).toBe("Understood.");
    expect(summarize(await world.calls())).toEqual([
      "decision approval_required approval.required call-1",
      "approval deny approval.rejected call-1",
    ]);
  });

  it("answers arguments that fail the tool's schema like the framework, without asking the guard", async () => {
    const world = await createWorld();
    const runs: number[] = [];
    const model = fakeModel().respondWithTools(refund("lots")).respond(new AIMessage("Oops."));
    const result = await refundAgent(world, model, runs).invoke(ask, config(world));

    expect(runs).toEqual([]);
    const [error] = toolMessagesSeen(model, 1);
    expect(error?.status).toBe("error");
    expect(error?.content).toContain("did not match expected schema");
    expect(error?.content).toContain("amount");
    expect(result.messages.at(-1)?.content).toBe("Oops.");
    expect(await world.calls()).toEqual([]);
  });

  it("hides tools the session can never use from the model, unless told not to", async () => {
    const world = await createWorld();
    const worker = world.session.delegate(world.worker, { grants: "refunds.approve(amount < 50)" });
    const email = tool(async () => "sent", {
      name: "send_email",
      description: "Send an email.",
      schema: z.object({ to: z.string() }),
    });
    const offered: string[][] = [];
    const spy = createMiddleware({
      name: "Spy",
      wrapModelCall: (request, handler) => {
        offered.push(request.tools.map((t) => String((t as { name: unknown }).name)));
        return handler(request);
      },
    });
    for (const hideUnusableTools of [true, false]) {
      const agent = createAgent({
        model: fakeModel().respond(new AIMessage("Hello.")),
        tools: [refundTool([]), email],
        middleware: [
          writMiddleware({
            guard: world.guard,
            actions: { ...REFUND_ACTIONS, send_email: "email.send" },
            hideUnusableTools,
          }),
          spy,
        ],
      });
      await agent.invoke(ask, { context: { writSession: worker } });
    }
    expect(offered).toEqual([["approve_refund"], ["approve_refund", "send_email"]]);
  });

  it("lets interrupts raised by a tool and errors thrown by it propagate untouched", async () => {
    const world = await createWorld();
    const asking = tool(async () => interrupt({ question: "Which order?" }), {
      name: "approve_refund",
      description: "Refund.",
      schema: z.object({ amount: z.number() }),
    });
    const paused = await createAgent({
      model: fakeModel().respondWithTools(refund(5)),
      tools: [asking],
      middleware: [writMiddleware({ guard: world.guard, actions: REFUND_ACTIONS })],
      checkpointer: new MemorySaver(),
    }).invoke(ask, config(world));
    expect(paused.__interrupt__?.map((i) => i.value)).toEqual([{ question: "Which order?" }]);

    const aborting = tool(
      async () => {
        throw new DOMException("The operation was aborted.", "AbortError");
      },
      { name: "approve_refund", description: "Refund.", schema: z.object({ amount: z.number() }) },
    );
    await expect(
      createAgent({
        model: fakeModel().respondWithTools(refund(6, "call-2")),
        tools: [aborting],
        middleware: [writMiddleware({ guard: world.guard, actions: REFUND_ACTIONS })],
      }).invoke(ask, { context: { writSession: world.session } }),
    ).rejects.toMatchObject({ name: "AbortError" });
    expect(summarize(await world.calls()).slice(-2)).toEqual([
      "decision allow granted call-2",
      "outcome error call-2",
    ]);
  });

  it("needs the caller's session in the context", async () => {
    const world = await createWorld();
    const agent = createAgent({
      model: fakeModel().respondWithTools(refund(5)),
      tools: [refundTool([])],
      middleware: [writMiddleware({ guard: world.guard, actions: REFUND_ACTIONS })],
    });
    for (const config of [undefined, { context: {} }, { context: { writSession: "alice" } }]) {
      const error = await agent.invoke(ask, config as never).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as TypeError).message).toMatch(
        /^Writ needs the caller's session: invoke with \{ context: \{ writSession \} \}/,
      );
    }
    expect(await world.calls()).toEqual([]);
  });

  it("says how to map a tool whose name is not a Writ action", async () => {
    const world = await createWorld();
    let ran = 0;
    const lookup = tool(
      async () => {
        ran++;
        return "found";
      },
      {
        name: "crm lookup",
        description: "Look up a customer.",
        schema: z.object({ id: z.string() }),
      },
    );
    const agent = createAgent({
      model: fakeModel().respondWithTools([{ name: "crm lookup", args: { id: "7" }, id: "c" }]),
      tools: [lookup],
      middleware: [writMiddleware({ guard: world.guard, hideUnusableTools: false })],
    });
    // Checked before the first model request, so before any tool runs.
    await expect(agent.invoke(ask, { context: { writSession: world.session } })).rejects.toThrow(
      /"crm lookup" has no valid Writ action.*actions: \{ "crm lookup": /,
    );
    expect(ran).toBe(0);
    expect(() => writMiddleware({ guard: world.guard, actions: { lookup: "crm lookup" } })).toThrow(
      TypeError,
    );
    // @ts-expect-error a guard is required
    expect(() => writMiddleware({})).toThrow(/needs \{ guard \}/);
  });
});

describe("a tool that pauses the graph itself", () => {
  it("records no failed outcome for the pause, and one outcome when it finishes on resume", async () => {
    const world = await createWorld();
    const asked = tool(
      async ({ amount }) => {
        const answer = interrupt({ question: `Refund ${amount}?` }) as string;
        return `refunded ${amount} (${answer})`;
      },
      {
        name: "approve_refund",
        description: "Asks a person, then refunds.",
        schema: z.object({ amount: z.number() }),
      },
    );
    const model = fakeModel().respondWithTools(refund(20)).respond(new AIMessage("Done."));
    const agent = createAgent({
      model,
      tools: [asked],
      middleware: [writMiddleware({ guard: world.guard, actions: REFUND_ACTIONS })],
      checkpointer: new MemorySaver(),
    });
    await agent.invoke(ask, config(world));
    expect(summarize(await world.calls())).toEqual(["decision allow granted call-1"]);

    await agent.invoke(new Command({ resume: "yes" }), config(world));
    expect(summarize(await world.calls())).toEqual([
      "decision allow granted call-1",
      "decision allow granted call-1",
      "outcome ok call-1",
    ]);
  });
});
