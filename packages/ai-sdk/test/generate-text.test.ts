import { canonicalJson, sha256Hex } from "@writ/core/backend";
import { generateText, stepCountIs, type ToolSet, tool } from "ai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { isWritDenial, withWrit, writToolsContext } from "../src/index.js";
import { call, say, scriptedModel, toolResultSeen } from "./model.js";
import { AI_SDK_MAJOR, perCallSession, shownError } from "./sdk-version.js";
import { actions, refundTools } from "./tools.js";
import { createWorld, summary } from "./world.js";

describe("withWrit with generateText", () => {
  it("runs an allowed call once and records its decision and outcome", async () => {
    const { guard, session, rows } = await createWorld();
    const { tools, ran } = refundTools();
    const model = scriptedModel([call("approve_refund", { amount: 20 }), say("Refunded.")]);
    const result = await generateText({
      model,
      tools: withWrit(tools, { guard, session, actions }),
      prompt: "Refund order 1.",
      stopWhen: stepCountIs(3),
    });
    expect(result.text).toBe("Refunded.");
    expect(ran).toEqual([20]);
    expect(toolResultSeen(model.doGenerateCalls, 1)).toEqual({
      type: "text",
      value: "refunded 20",
    });
    const recorded = await rows();
    expect(recorded.map(summary)).toEqual(["decision:allow:granted", "outcome:ok"]);
    expect(recorded[0]).toMatchObject({
      adapter: "ai-sdk",
      tool: "approve_refund",
      action: "refunds.approve",
      callId: "call-1",
      user: "alice",
      agent: "support",
    });
  });

  it("refuses a call outside the writ; the model sees why in the next step, never the value", async () => {
    const { guard, session, rows } = await createWorld();
    const { tools, ran } = refundTools();
    const model = scriptedModel([
      call("approve_refund", { amount: 12345 }),
      say("I cannot refund that much."),
    ]);
    const result = await generateText({
      model,
      tools: withWrit(tools, { guard, session, actions }),
      prompt: "Refund order 2.",
      stopWhen: stepCountIs(3),
    });
    expect(ran).toEqual([]);
    expect(result.text).toBe("I cannot refund that much.");
    const seen = toolResultSeen(model.doGenerateCalls, 1);
    expect(seen).toEqual({
      type: "error-text",
      value: expect.stringContaining('Denied: the argument "amount" is outside'),
    });
    expect(JSON.stringify(seen)).not.toContain("12345");
    expect((await rows()).map(summary)).toEqual(["decision:deny:grant.condition_failed"]);
  });

  it('returns { denied, code, reason } as the tool result with denial: "result"', async () => {
    const { guard, session } = await createWorld();
    const { tools, ran } = refundTools();
    const model = scriptedModel([call("approve_refund", { amount: 12345 }), say("Noted.")]);
    const guarded = withWrit(tools, { guard, session, actions, denial: "result" });
    const result = await generateText({
      model,
      tools: guarded,
      prompt: "Refund order 3.",
      stopWhen: stepCountIs(3),
    });
    expect(ran).toEqual([]);
    const output = result.steps[0]?.toolResults[0]?.output;
    expect(isWritDenial(output)).toBe(true);
    expect(output).toEqual({
      denied: true,
      code: "grant.condition_failed",
      reason: expect.stringContaining("amount"),
    });
    expect(toolResultSeen(model.doGenerateCalls, 1)).toEqual({ type: "json", value: output });
  });

  it("takes each call's session from what the call gives its tools, and refuses to guess", async () => {
    const { guard, session, sessionFor, worker, rows } = await createWorld();
    const { tools, ran } = refundTools();
    const guarded = withWrit(tools, { guard, actions });
    const workerSession = sessionFor(worker, "refunds.approve");
    for (const [id, caller] of [
      ["call-a", session],
      ["call-b", workerSession],
    ] as const) {
      await generateText({
        model: scriptedModel([call("approve_refund", { amount: 5 }, id), say("ok")]),
        tools: guarded,
        prompt: "Refund.",
        stopWhen: stepCountIs(2),
        ...perCallSession(guarded, caller),
      });
    }
    expect(ran).toEqual([5, 5]);
    expect((await rows(["decision"])).map((row) => [row.callId, row.agent])).toEqual([
      ["call-a", "support"],
      ["call-b", "refund-worker"],
    ]);
    // The other version's way of passing it is not read: no session, nothing runs.
    // (A ToolSet-typed set, as an application that lost the types would pass it.)
    const untyped: ToolSet = guarded;
    const otherWay =
      AI_SDK_MAJOR === 7
        ? { experimental_context: { session } }
        : { toolsContext: writToolsContext(guarded, session) };
    for (const given of [{}, otherWay]) {
      await expect(
        generateText({
          model: scriptedModel([call("approve_refund", { amount: 5 }), say("ok")]),
          tools: untyped,
          prompt: "Refund.",
          stopWhen: stepCountIs(2),
          ...given,
        }),
      ).rejects.toThrow(/withWrit has no session for tool "approve_refund"/);
    }
    expect(ran).toEqual([5, 5]);
  });

  it.runIf(AI_SDK_MAJOR === 6)(
    "takes experimental_context as the Session itself or as { session } (AI SDK 6)",
    async () => {
      const { guard, session, rows } = await createWorld();
      const { tools, ran } = refundTools();
      const guarded: ToolSet = withWrit(tools, { guard, actions });
      for (const [id, context] of [
        ["call-a", session],
        ["call-b", { session, requestId: "r1" }],
      ] as const) {
        await generateText({
          model: scriptedModel([call("approve_refund", { amount: 5 }, id), say("ok")]),
          tools: guarded,
          prompt: "Refund.",
          stopWhen: stepCountIs(2),
          ...{ experimental_context: context },
        });
      }
      expect(ran).toEqual([5, 5]);
      expect((await rows(["decision"])).map((row) => row.callId)).toEqual(["call-a", "call-b"]);
    },
  );

  it("enforces a revocation made between two steps of one run", async () => {
    const { guard, session, backend, rows } = await createWorld();
    const { tools, ran } = refundTools();
    const model = scriptedModel([
      call("approve_refund", { amount: 10 }, "call-1"),
      call("approve_refund", { amount: 11 }, "call-2"),
      say("The second refund was refused."),
    ]);
    await generateText({
      model,
      tools: withWrit(tools, { guard, session, actions }),
      prompt: "Refund orders 1 and 2.",
      stopWhen: stepCountIs(4),
      onStepFinish: async ({ toolResults }) => {
        if (toolResults.some((result) => result.toolCallId === "call-1")) {
          await backend.revoke("hop", session.writ.leaf.claims.jti);
        }
      },
    });
    expect(ran).toEqual([10]);
    expect(toolResultSeen(model.doGenerateCalls, 2, "call-2")).toEqual({
      type: "error-text",
      value: expect.stringContaining("has been revoked"),
    });
    expect((await rows()).map(summary)).toEqual([
      "decision:allow:granted",
      "outcome:ok",
      "decision:deny:revoked.hop",
    ]);
  });

  it("records a streaming execute once, with its last value, when it completes or fails", async () => {
    const { guard, session, rows } = await createWorld();
    const started: string[] = [];
    const tools = {
      lookup_order: tool({
        inputSchema: z.object({ order: z.string() }),
        async *execute({ order }) {
          started.push(order);
          yield { order, status: "searching" };
          if (order === "broken") throw new Error("order system down");
          yield { order, status: "shipped" };
        },
      }),
    };
    const guarded = withWrit(tools, { guard, session, actions: { lookup_order: "orders.lookup" } });
    const model = scriptedModel([
      call("lookup_order", { order: "A1" }, "call-1"),
      call("lookup_order", { order: "broken" }, "call-2"),
      say("done"),
    ]);
    const result = await generateText({
      model,
      tools: guarded,
      prompt: "Where are my orders?",
      stopWhen: stepCountIs(4),
    });
    expect(started).toEqual(["A1", "broken"]);
    expect(result.steps[0]?.toolResults[0]?.output).toEqual({ order: "A1", status: "shipped" });
    expect(toolResultSeen(model.doGenerateCalls, 2, "call-2")).toEqual({
      type: "error-text",
      value: shownError(new Error("order system down")),
    });
    const recorded = await rows();
    expect(recorded.map(summary)).toEqual([
      "decision:allow:granted",
      "outcome:ok",
      "decision:allow:granted",
      "outcome:error",
    ]);
    expect(recorded[1]?.outputHash).toBe(
      sha256Hex(canonicalJson({ order: "A1", status: "shipped" })),
    );
    expect(recorded[3]?.error).toContain("order system down");
  });
});
