import { type ModelMessage, stepCountIs, streamText, tool } from "ai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { withWrit } from "../src/index.js";
import { call, say, scriptedModel } from "./model.js";
import { actions, refundTools } from "./tools.js";
import { createWorld, summary } from "./world.js";

/** What the model was shown in its prompt of `step`, for the result of call-1. */
function seen(model: ReturnType<typeof scriptedModel>, step: number) {
  for (const message of model.doStreamCalls[step]?.prompt ?? []) {
    if (message.role !== "tool") continue;
    for (const part of message.content) {
      if (part.type === "tool-result" && part.toolCallId === "call-1") return part.output;
    }
  }
  return undefined;
}

describe("withWrit with streamText", () => {
  it("runs an allowed call and refuses one outside the writ, in one streamed run", async () => {
    const { guard, session, rows } = await createWorld();
    const { tools, ran } = refundTools();
    const model = scriptedModel([
      call("approve_refund", { amount: 30 }, "call-1"),
      call("approve_refund", { amount: 99999 }, "call-2"),
      say("One refunded, one refused."),
    ]);
    const result = streamText({
      model,
      tools: withWrit(tools, { guard, session, actions }),
      prompt: "Refund two orders.",
      stopWhen: stepCountIs(4),
    });
    expect(await result.text).toBe("One refunded, one refused.");
    expect(ran).toEqual([30]);
    const steps = await result.steps;
    expect(steps[0]?.toolResults[0]?.output).toBe("refunded 30");
    expect(steps[1]?.content.find((part) => part.type === "tool-error")).toMatchObject({
      toolCallId: "call-2",
      error: expect.objectContaining({ code: "grant.condition_failed" }),
    });
    expect((await rows()).map(summary)).toEqual([
      "decision:allow:granted",
      "outcome:ok",
      "decision:deny:grant.condition_failed",
    ]);
  });

  it("streams a guarded async generator's preliminary results", async () => {
    const { guard, session, rows } = await createWorld();
    const tools = {
      lookup_order: tool({
        inputSchema: z.object({ order: z.string() }),
        async *execute({ order }) {
          yield { order, status: "searching" };
          yield { order, status: "shipped" };
        },
      }),
    };
    const result = streamText({
      model: scriptedModel([call("lookup_order", { order: "B2" }), say("Shipped.")]),
      tools: withWrit(tools, { guard, session, actions: { lookup_order: "orders.lookup" } }),
      prompt: "Where is B2?",
      stopWhen: stepCountIs(3),
    });
    const results: unknown[] = [];
    for await (const part of result.fullStream) {
      if (part.type === "tool-result") results.push([part.preliminary ?? false, part.output]);
    }
    expect(results).toEqual([
      [true, { order: "B2", status: "searching" }],
      [true, { order: "B2", status: "shipped" }],
      [false, { order: "B2", status: "shipped" }],
    ]);
    expect((await rows()).map(summary)).toEqual(["decision:allow:granted", "outcome:ok"]);
  });

  it("goes through the approval flow: request, approval, one run", async () => {
    const { guard, session, rows } = await createWorld();
    const { tools, ran } = refundTools();
    const guarded = withWrit(tools, { guard, session, actions });
    const model = scriptedModel([call("approve_refund", { amount: 2500 }), say("Refunded.")]);
    const prompt: ModelMessage[] = [{ role: "user", content: "Refund 2500." }];

    const first = streamText({ model, tools: guarded, messages: prompt, stopWhen: stepCountIs(3) });
    const request = (await first.content).find((part) => part.type === "tool-approval-request");
    expect(request?.toolCall.toolCallId).toBe("call-1");
    expect(ran).toEqual([]);

    const resumed = streamText({
      model,
      tools: guarded,
      messages: [
        ...prompt,
        ...(await first.response).messages,
        {
          role: "tool",
          content: [
            {
              type: "tool-approval-response",
              approvalId: request?.approvalId ?? "",
              approved: true,
            },
          ],
        },
      ],
      stopWhen: stepCountIs(3),
    });
    expect(await resumed.text).toBe("Refunded.");
    expect(ran).toEqual([2500]);
    expect(seen(model, 1)).toEqual({ type: "text", value: "refunded 2500" });
    expect((await rows()).map(summary)).toEqual([
      "decision:approval_required:approval.required",
      "approval:allow:approval.granted",
      "decision:allow:approval.granted",
      "outcome:ok",
    ]);
  });
});
