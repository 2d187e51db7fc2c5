import { generateText, type ModelMessage, stepCountIs, tool } from "ai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { withWrit, writToolApproval, writToolsContext } from "../src/index.js";
import { call, say, scriptedModel, toolResultSeen } from "./model.js";
import { AI_SDK_MAJOR } from "./sdk-version.js";
import { actions, refundTools } from "./tools.js";
import { createWorld, summary } from "./world.js";

const prompt: ModelMessage[] = [{ role: "user", content: "Refund order 7." }];

/** The history with the person's answer to the run's one approval request. */
function answered(history: readonly ModelMessage[], approvalId: string): ModelMessage[] {
  return [
    ...prompt,
    ...history,
    { role: "tool", content: [{ type: "tool-approval-response", approvalId, approved: true }] },
  ];
}

// AI SDK 6 has neither a toolApproval call option nor tool contexts: these run in the ai@7 job.
describe.runIf(AI_SDK_MAJOR === 7)("AI SDK 7's toolApproval and toolsContext", () => {
  it("lose Writ's approval to an application toolApproval without Writ's part: the guard refuses", async () => {
    const { guard, session, rows } = await createWorld();
    const { tools, ran } = refundTools();
    const model = scriptedModel([call("approve_refund", { amount: 5000 }), say("Refused.")]);
    const result = await generateText({
      model,
      tools: withWrit(tools, { guard, session, actions }),
      messages: prompt,
      stopWhen: stepCountIs(3),
      toolApproval: () => "not-applicable",
    });
    expect(result.content.some((part) => part.type === "tool-approval-request")).toBe(false);
    expect(ran).toEqual([]);
    expect(toolResultSeen(model.doGenerateCalls, 1)).toEqual({
      type: "error-text",
      value: expect.stringContaining("refunds.approve needs a human approval before it can run"),
    });
    expect((await rows()).map(summary)).toEqual(["decision:approval_required:approval.required"]);
  });

  it("put the policy's approval to a person through writToolApproval, then run the call once", async () => {
    const { guard, session, rows } = await createWorld();
    const { tools, ran } = refundTools();
    // A shared set: the session comes from each call's toolsContext.
    const guarded = withWrit(tools, { guard, actions });
    const toolsContext = writToolsContext(guarded, session);
    const model = scriptedModel([call("approve_refund", { amount: 5000 }), say("Refunded.")]);
    const toolApproval = writToolApproval(() => "denied");
    const first = await generateText({
      model,
      tools: guarded,
      messages: prompt,
      stopWhen: stepCountIs(3),
      toolApproval,
      toolsContext,
    });
    const request = first.content.find((part) => part.type === "tool-approval-request");
    expect(request?.toolCall.toolCallId).toBe("call-1");
    expect(request?.isAutomatic).not.toBe(true);
    expect(ran).toEqual([]);

    await generateText({
      model,
      tools: guarded,
      messages: answered(first.response.messages, String(request?.approvalId)),
      stopWhen: stepCountIs(3),
      toolApproval,
      toolsContext,
    });
    expect(ran).toEqual([5000]);
    expect((await rows()).map(summary)).toEqual([
      "decision:approval_required:approval.required",
      "approval:allow:approval.granted",
      "decision:allow:approval.granted",
      "outcome:ok",
    ]);
  });

  it("leave to the application's own rules what Writ's policy allows, and ask nobody about a refusal", async () => {
    const { guard, session, rows } = await createWorld();
    const { tools, ran } = refundTools();
    const lookups: string[] = [];
    const shop = {
      lookup_order: tool({
        inputSchema: z.object({ order: z.string() }),
        execute: async ({ order }) => {
          lookups.push(order);
          return `order ${order}`;
        },
      }),
    };
    const guarded = { ...withWrit(tools, { guard, session, actions }), ...shop };
    const asked: string[] = [];
    const toolApproval = writToolApproval(({ toolCall }) => {
      asked.push(toolCall.toolCallId);
      return toolCall.toolName === "lookup_order" ? "denied" : "user-approval";
    });
    const model = scriptedModel([
      {
        calls: [
          { id: "small", tool: "approve_refund", input: { amount: 20 } },
          { id: "huge", tool: "approve_refund", input: { amount: 50000 } },
          { id: "lookup", tool: "lookup_order", input: { order: "7" } },
        ],
      },
      say("Done."),
    ]);
    const result = await generateText({
      model,
      tools: guarded,
      messages: prompt,
      stopWhen: stepCountIs(3),
      toolApproval,
    });
    const requests = result.content.filter((part) => part.type === "tool-approval-request");
    // The policy allows 20 and the application asks; it refuses 50000 and nobody is asked.
    expect(requests.map((part) => [part.toolCall.toolCallId, part.isAutomatic ?? false])).toEqual([
      ["small", false],
      ["lookup", true],
    ]);
    expect(asked).toEqual(["small", "lookup"]);
    expect(result.content.find((part) => part.type === "tool-error")).toMatchObject({
      toolCallId: "huge",
      error: { code: "grant.condition_failed" },
    });
    expect(ran).toEqual([]);
    expect(lookups).toEqual([]);
    expect((await rows()).map((row) => `${row.callId} ${summary(row)}`)).toEqual([
      "huge decision:deny:grant.condition_failed",
    ]);
  });

  it("type and pass the session through toolsContext, beside a tool's own context", async () => {
    const { guard, session, rows } = await createWorld();
    const seen: unknown[] = [];
    const tools = {
      approve_refund: tool({
        inputSchema: z.object({ amount: z.number() }),
        execute: async ({ amount }) => `refunded ${amount}`,
      }),
      lookup_order: tool({
        inputSchema: z.object({ order: z.string() }),
        contextSchema: z.strictObject({ region: z.enum(["eu", "us"]) }),
        execute: async ({ order }, { context }) => {
          seen.push(context.region);
          return `order ${order} in ${context.region}`;
        },
      }),
    };
    const guarded = withWrit(tools, {
      guard,
      actions: { ...actions, lookup_order: "orders.lookup" },
    });
    const model = scriptedModel([
      {
        calls: [
          { id: "refund", tool: "approve_refund", input: { amount: 20 } },
          { id: "lookup", tool: "lookup_order", input: { order: "7" } },
        ],
      },
      say("Done."),
    ]);
    await generateText({
      model,
      tools: guarded,
      messages: prompt,
      stopWhen: stepCountIs(3),
      toolsContext: {
        ...writToolsContext(guarded, session),
        lookup_order: { session, region: "eu" },
      },
    });
    expect(seen).toEqual(["eu"]);
    expect(toolResultSeen(model.doGenerateCalls, 1, "lookup")).toEqual({
      type: "text",
      value: "order 7 in eu",
    });
    expect((await rows(["decision"])).map((row) => [row.callId, row.agent])).toEqual([
      ["refund", "support"],
      ["lookup", "support"],
    ]);

    // The tool's own schema still judges its own fields, as its type does.
    await expect(
      generateText({
        model: scriptedModel([call("lookup_order", { order: "8" }), say("Done.")]),
        tools: guarded,
        messages: prompt,
        stopWhen: stepCountIs(3),
        toolsContext: {
          ...writToolsContext(guarded, session),
          // @ts-expect-error: "mars" is not a region the tool's contextSchema allows.
          lookup_order: { session, region: "mars" },
        },
      }),
    ).rejects.toThrow(/tool context/i);
    expect(seen).toEqual(["eu"]);
  });
});
