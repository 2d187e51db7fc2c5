import { generateText, stepCountIs, type ToolSet, tool } from "ai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { sessionFromContext, withWrit, writSession } from "../src/index.js";
import { call, say, scriptedModel, toolResultSeen } from "./model.js";
import { perCallSession, rawToolContext } from "./sdk-version.js";
import { refundTools } from "./tools.js";
import { createWorld } from "./world.js";

describe("a planner delegating to a worker agent", () => {
  it("runs the worker's own loop under a narrower writ, where its broader call is denied", async () => {
    const { guard, session, worker, rows } = await createWorld();
    const workerTools = refundTools();
    const workerModel = scriptedModel([
      call("approve_refund", { amount: 40 }, "worker-1"),
      call("approve_refund", { amount: 500 }, "worker-2"),
      say("Refunded 40; 500 was refused."),
    ]);
    const guardedWorkerTools = withWrit(workerTools.tools, {
      guard,
      actions: { approve_refund: "refunds.approve" },
    });

    const plannerTools = {
      ask_refund_worker: tool({
        description: "Hand a refund task to the refund worker, within a limit.",
        inputSchema: z.object({ task: z.string(), limit: z.number() }),
        execute: async ({ task, limit }, options) => {
          const planner = sessionFromContext(options);
          if (planner === undefined) throw new TypeError("The planner's tool needs its session.");
          const workerSession = planner.delegate(worker, {
            grants: `refunds.approve(amount < ${limit})`,
            ttl: 300,
          });
          const result = await generateText({
            model: workerModel,
            tools: guardedWorkerTools,
            prompt: task,
            stopWhen: stepCountIs(4),
            ...perCallSession(guardedWorkerTools, workerSession),
          });
          return result.text;
        },
      }),
    };
    const plannerModel = scriptedModel([
      call("ask_refund_worker", { task: "Refund 40 and 500.", limit: 100 }, "plan-1"),
      say("The worker refunded 40 and was refused 500."),
    ]);
    const guardedPlannerTools = withWrit(plannerTools, {
      guard,
      actions: { ask_refund_worker: "refunds.delegate" },
    });
    const result = await generateText({
      model: plannerModel,
      tools: guardedPlannerTools,
      prompt: "Refund 40 and 500.",
      stopWhen: stepCountIs(3),
      ...perCallSession(guardedPlannerTools, session),
    });

    expect(result.text).toBe("The worker refunded 40 and was refused 500.");
    expect(workerTools.ran).toEqual([40]);
    const refusal = toolResultSeen(workerModel.doGenerateCalls, 2, "worker-2");
    expect(refusal).toEqual({
      type: "error-text",
      value: expect.stringContaining('Denied: the argument "amount" is outside'),
    });
    expect(toolResultSeen(plannerModel.doGenerateCalls, 1, "plan-1")).toEqual({
      type: "text",
      value: "Refunded 40; 500 was refused.",
    });

    const decisions = (await rows(["decision"])).map((row) => ({
      callId: row.callId,
      decision: row.decision,
      reason: row.reason,
      chain: row.chain?.agents,
      hop: row.detail?.hop,
    }));
    expect(decisions).toEqual([
      {
        callId: "plan-1",
        decision: "allow",
        reason: "granted",
        chain: ["support"],
        hop: undefined,
      },
      {
        callId: "worker-1",
        decision: "allow",
        reason: "granted",
        chain: ["support", "refund-worker"],
        hop: undefined,
      },
      {
        callId: "worker-2",
        decision: "deny",
        reason: "grant.condition_failed",
        chain: ["support", "refund-worker"],
        hop: 1,
      },
    ]);
  });
});

describe("writSession", () => {
  it("gives a tool the session its call runs with: withWrit's own, else the context's", async () => {
    const { guard, session, sessionFor, worker } = await createWorld();
    const other = sessionFor(worker, "refunds.approve");
    const seen: unknown[] = [];
    const whoAmI = tool({
      inputSchema: z.object({}),
      execute: async (_, options) => {
        seen.push(writSession(options), sessionFromContext(options));
        return "ok";
      },
    });
    const run = (tools: ToolSet, context: object = {}) =>
      generateText({
        model: scriptedModel([call("who_am_i", {}), say("Done.")]),
        tools,
        prompt: "Who?",
        stopWhen: stepCountIs(2),
        ...context,
      });
    const actions = { who_am_i: "orders.lookup" };
    await run(withWrit({ who_am_i: whoAmI }, { guard, session, actions }));
    const shared = withWrit({ who_am_i: whoAmI }, { guard, actions });
    await run(shared, perCallSession(shared, session));
    await run({ who_am_i: whoAmI }, rawToolContext("who_am_i", other));
    expect(seen).toEqual([session, undefined, session, session, other, other]);
    expect(() => writSession({ toolCallId: "x", messages: [] })).toThrow(
      /writSession\(options\) found no session/,
    );
  });
});
