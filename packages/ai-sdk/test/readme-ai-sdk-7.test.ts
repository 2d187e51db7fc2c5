import type { ModelMessage } from "ai";
import { describe, expect, it } from "vitest";
import { call, say, scriptedModel } from "./model.js";
import { delegateToWorker, perCallSessionOn7, toolApprovalWithWrit } from "./readme/ai-sdk-7.js";
import { AI_SDK_MAJOR } from "./sdk-version.js";
import { createWorld, summary } from "./world.js";

// toolsContext and toolApproval are AI SDK 7's: these run in the ai@7 job.
describe.runIf(AI_SDK_MAJOR === 7)("the README's AI SDK 7 code", () => {
  it("gives a shared set its session per call in toolsContext", async () => {
    const { guard, session } = await createWorld();
    const model = scriptedModel([call("approve_refund", { amount: 20 }), say("Done.")]);
    expect(await perCallSessionOn7(guard, session, model)).toEqual([20]);
  });

  it("delegates to a worker whose hop allows less than the planner may", async () => {
    const { guard, session, worker, rows } = await createWorld();
    const plannerModel = scriptedModel([
      call("ask_refund_worker", { task: "Refund 40 and 500." }, "plan-1"),
      say("The worker refunded 40."),
    ]);
    const model = scriptedModel([
      call("approve_refund", { amount: 40 }, "worker-1"),
      call("approve_refund", { amount: 500 }, "worker-2"),
      say("Refunded 40; 500 was refused."),
    ]);
    expect(await delegateToWorker({ guard, session, worker, plannerModel, model })).toEqual([40]);
    expect((await rows(["decision"])).map((row) => `${row.callId} ${summary(row)}`)).toEqual([
      "plan-1 decision:allow:granted",
      "worker-1 decision:allow:granted",
      "worker-2 decision:deny:grant.condition_failed",
    ]);
  });

  it("puts the policy's approval to a person through writToolApproval, and runs what needs none", async () => {
    const { guard, session } = await createWorld();
    const messages: ModelMessage[] = [{ role: "user", content: "Refund 20 and 5000." }];
    const model = scriptedModel([
      {
        calls: [
          { id: "small", tool: "approve_refund", input: { amount: 20 } },
          { id: "large", tool: "approve_refund", input: { amount: 5000 } },
        ],
      },
      say("Done."),
    ]);
    expect(await toolApprovalWithWrit(guard, session, model, messages)).toEqual({
      asked: ["large"],
      ran: [20],
    });
  });
});
