import { WritError } from "@writ/core";
import { generateText, type ModelMessage, stepCountIs, type ToolSet, tool } from "ai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { recordApprovalResponses, SDK_APPROVAL_RESPONSE, withWrit } from "../src/index.js";
import { call, say, scriptedModel, toolResultSeen } from "./model.js";
import { perCallSession, shownError } from "./sdk-version.js";
import { actions, refundTools } from "./tools.js";
import { createWorld, summary } from "./world.js";

const prompt: ModelMessage[] = [{ role: "user", content: "Refund order 7." }];

/** Runs until the SDK asks for approval, then returns the history and the request. */
async function untilApprovalRequest(
  model: ReturnType<typeof scriptedModel>,
  tools: ToolSet,
  secret?: string,
) {
  const first = await generateText({
    model,
    tools,
    messages: prompt,
    stopWhen: stepCountIs(3),
    ...(secret ? { experimental_toolApprovalSecret: secret } : {}),
  });
  const request = first.content.find((part) => part.type === "tool-approval-request");
  if (!request) throw new Error("The SDK asked for no approval.");
  const history = [...prompt, ...first.response.messages];
  const answer = (approved: boolean, reason?: string): ModelMessage[] => [
    ...history,
    {
      role: "tool",
      content: [
        {
          type: "tool-approval-response",
          approvalId: request.approvalId,
          approved,
          ...(reason ? { reason } : {}),
        },
      ],
    },
  ];
  return { request, history, answer };
}

describe("approvals through the SDK's approval flow", () => {
  it("ask when the policy asks, and run exactly once when the human approves", async () => {
    const { guard, session, rows } = await createWorld();
    const { tools, ran } = refundTools();
    const guarded = withWrit(tools, { guard, session, actions });
    const model = scriptedModel([call("approve_refund", { amount: 5000 }), say("Refunded.")]);

    const { request, answer } = await untilApprovalRequest(model, guarded);
    expect(request.toolCall).toMatchObject({ toolCallId: "call-1", input: { amount: 5000 } });
    expect(ran).toEqual([]);
    expect((await rows()).map(summary)).toEqual(["decision:approval_required:approval.required"]);

    const resumed = await generateText({
      model,
      tools: guarded,
      messages: answer(true, "customer verified"),
      stopWhen: stepCountIs(3),
    });
    expect(resumed.text).toBe("Refunded.");
    expect(ran).toEqual([5000]);
    expect(toolResultSeen(model.doGenerateCalls, 1)).toEqual({
      type: "text",
      value: "refunded 5000",
    });
    // The SDK evaluated needsApproval again on resume: the same request was found, not a new one.
    const recorded = await rows();
    expect(recorded.map(summary)).toEqual([
      "decision:approval_required:approval.required",
      "approval:allow:approval.granted",
      "decision:allow:approval.granted",
      "outcome:ok",
    ]);
    const approvalId = recorded[0]?.detail?.approvalId;
    // Nobody was named, and the session's user is the one the call was made for: not them.
    expect(recorded[1]?.detail).toEqual({
      approvalId,
      by: SDK_APPROVAL_RESPONSE,
      reason: "customer verified",
    });
    expect(recorded[2]?.detail?.approvalId).toBe(approvalId);
    expect(new Set(recorded.map((row) => row.callId))).toEqual(new Set(["call-1"]));
  });

  it("honour a request an operator already decided through Writ", async () => {
    const { guard, session, rows } = await createWorld();
    const { tools, ran } = refundTools();
    const guarded = withWrit(tools, { guard, session, actions });
    const model = scriptedModel([call("approve_refund", { amount: 5000 }), say("Refunded.")]);
    const { answer } = await untilApprovalRequest(model, guarded);
    const approvalId = (await rows())[0]?.detail?.approvalId;
    await guard.decideApproval(String(approvalId), { approved: true, by: "ops@example.com" });

    await generateText({ model, tools: guarded, messages: answer(true), stopWhen: stepCountIs(3) });
    expect(ran).toEqual([5000]);
    expect((await rows()).map(summary)).toEqual([
      "decision:approval_required:approval.required",
      "approval:allow:approval.granted",
      "decision:allow:approval.granted",
      "outcome:ok",
    ]);
  });

  it("run nothing on an answer that could not be recorded, and take it when it can be", async () => {
    let storeDown = true;
    const { guard, session, backend, rows } = await createWorld({
      decideApproval: (id, decision) =>
        storeDown
          ? Promise.reject(new WritError("store.unavailable", "The store is unreachable."))
          : backend.decideApproval(id, decision),
    });
    const { tools, ran } = refundTools();
    const guarded = withWrit(tools, { guard, session, actions });
    const model = scriptedModel([
      call("approve_refund", { amount: 5000 }),
      say("The store is down."),
      say("Refunded."),
    ]);
    const { answer } = await untilApprovalRequest(model, guarded);

    await generateText({ model, tools: guarded, messages: answer(true), stopWhen: stepCountIs(3) });
    expect(ran).toEqual([]);
    expect(toolResultSeen(model.doGenerateCalls, 1)).toEqual({
      type: "error-text",
      value: shownError(new WritError("store.unavailable", "The store is unreachable.")),
    });
    expect((await rows()).map(summary)).toEqual(["decision:approval_required:approval.required"]);

    storeDown = false;
    await generateText({ model, tools: guarded, messages: answer(true), stopWhen: stepCountIs(3) });
    expect(ran).toEqual([5000]);
    expect((await rows()).map(summary)).toEqual([
      "decision:approval_required:approval.required",
      "approval:allow:approval.granted",
      "decision:allow:approval.granted",
      "outcome:ok",
    ]);
  });

  it("refuse a replayed approval response: the approval was spent", async () => {
    const { guard, session, rows } = await createWorld();
    const { tools, ran } = refundTools();
    const guarded = withWrit(tools, { guard, session, actions });
    const model = scriptedModel([
      call("approve_refund", { amount: 5000 }),
      say("Refunded."),
      say("Already done."),
    ]);
    const { answer } = await untilApprovalRequest(model, guarded);
    const approved = answer(true);
    await generateText({ model, tools: guarded, messages: approved, stopWhen: stepCountIs(3) });
    expect(ran).toEqual([5000]);

    const replayed = await generateText({
      model,
      tools: guarded,
      messages: approved,
      stopWhen: stepCountIs(3),
    });
    expect(replayed.text).toBe("Already done.");
    expect(ran).toEqual([5000]);
    expect(toolResultSeen(model.doGenerateCalls, 2)).toEqual({
      type: "error-text",
      value: expect.stringContaining("approval for refunds.approve is not valid"),
    });
    expect((await rows()).map(summary)).toEqual([
      "decision:approval_required:approval.required",
      "approval:allow:approval.granted",
      "decision:allow:approval.granted",
      "outcome:ok",
      "decision:deny:approval.consumed",
    ]);
  });

  it("work with experimental_toolApprovalSecret, which refuses approvals for altered calls", async () => {
    const { guard, session, rows } = await createWorld();
    const { tools, ran } = refundTools();
    const guarded = withWrit(tools, {
      guard,
      session,
      actions,
      approver: ({ tool, toolCallId }) => `ops:${tool}:${toolCallId}`,
    });
    const secret = "a server-side secret of enough length";
    const model = scriptedModel([call("approve_refund", { amount: 5000 }), say("Refunded.")]);
    const { request, answer } = await untilApprovalRequest(model, guarded, secret);
    expect(request.signature).toEqual(expect.any(String));

    const altered = answer(true).map((message) =>
      message.role === "assistant" && typeof message.content !== "string"
        ? {
            ...message,
            content: message.content.map((part) =>
              part.type === "tool-call" ? { ...part, input: { amount: 9000 } } : part,
            ),
          }
        : message,
    );
    await expect(
      generateText({
        model,
        tools: guarded,
        messages: altered,
        stopWhen: stepCountIs(3),
        experimental_toolApprovalSecret: secret,
      }),
    ).rejects.toThrow(/signature/i);
    expect(ran).toEqual([]);

    await generateText({
      model,
      tools: guarded,
      messages: answer(true),
      stopWhen: stepCountIs(3),
      experimental_toolApprovalSecret: secret,
    });
    expect(ran).toEqual([5000]);
    const approval = (await rows(["approval"]))[0];
    expect(approval?.detail?.by).toBe("ops:approve_refund:call-1");
  });

  it("record a human's rejection, closing the guard's request, when the run resumes with it", async () => {
    const { guard, session, backend, rows } = await createWorld();
    const { tools, ran } = refundTools();
    const guarded = withWrit(tools, { guard, session, actions });
    const model = scriptedModel([
      call("approve_refund", { amount: 5000 }),
      say("Not refunded."),
      say("Still not refunded."),
    ]);
    const { answer } = await untilApprovalRequest(model, guarded);
    const rejected = answer(false, "not eligible");

    await recordApprovalResponses(guarded, rejected, { by: "dana" });
    const resumed = await generateText({
      model,
      tools: guarded,
      messages: rejected,
      stopWhen: stepCountIs(3),
    });
    expect(resumed.text).toBe("Not refunded.");
    expect(ran).toEqual([]);
    expect(toolResultSeen(model.doGenerateCalls, 1)).toEqual({
      type: "execution-denied",
      reason: "not eligible",
    });
    const recorded = await rows();
    expect(recorded.map(summary)).toEqual([
      "decision:approval_required:approval.required",
      "approval:deny:approval.rejected",
    ]);
    const approvalId = String(recorded[0]?.detail?.approvalId);
    expect(recorded[1]?.detail).toEqual({ approvalId, by: "dana", reason: "not eligible" });
    expect(recorded[1]?.callId).toBe("call-1");
    expect(await backend.getApproval(approvalId)).toMatchObject({
      status: "rejected",
      decidedBy: "dana",
    });

    // Closed: nobody approves it later, and the same answer recorded again adds nothing.
    await expect(
      guard.decideApproval(approvalId, { approved: true, by: "ops@example.com" }),
    ).rejects.toMatchObject({ code: "approval.invalid" });
    await recordApprovalResponses(guarded, rejected, { by: "dana" });
    // A history edited to say "approved" meets the rejected request: refused, recorded.
    await generateText({ model, tools: guarded, messages: answer(true), stopWhen: stepCountIs(3) });
    expect(ran).toEqual([]);
    expect((await rows()).map(summary)).toEqual([
      "decision:approval_required:approval.required",
      "approval:deny:approval.rejected",
      "decision:deny:approval.rejected",
    ]);
  });

  it("record the answers of a run with withWrit's approver, or as the SDK's approval response", async () => {
    const { guard, session, rows } = await createWorld();
    const { tools } = refundTools();
    const named = withWrit(tools, { guard, session, actions, approver: () => "support-lead" });
    const first = await untilApprovalRequest(
      scriptedModel([call("approve_refund", { amount: 5000 }, "call-1"), say("ok")]),
      named,
    );
    await recordApprovalResponses(named, first.answer(false));

    const shared = withWrit(tools, { guard, actions });
    const model = scriptedModel([call("approve_refund", { amount: 6000 }, "call-2"), say("ok")]);
    const history = await generateText({
      model,
      tools: shared,
      messages: prompt,
      stopWhen: stepCountIs(3),
      ...perCallSession(shared, session),
    });
    const request = history.content.find((part) => part.type === "tool-approval-request");
    const messages: ModelMessage[] = [
      ...prompt,
      ...history.response.messages,
      {
        role: "tool",
        content: [
          {
            type: "tool-approval-response",
            approvalId: String(request?.approvalId),
            approved: false,
          },
        ],
      },
    ];
    await expect(recordApprovalResponses(shared, messages)).rejects.toThrow(
      /recordApprovalResponses has no session for tool "approve_refund"/,
    );
    await recordApprovalResponses(shared, messages, { session });

    expect(
      (await rows(["approval"])).map((row) => [row.callId, row.reason, row.detail?.by]),
    ).toEqual([
      ["call-1", "approval.rejected", "support-lead"],
      ["call-2", "approval.rejected", SDK_APPROVAL_RESPONSE],
    ]);
    expect(SDK_APPROVAL_RESPONSE).not.toBe(session.writ.user);
  });

  it("keep the request open when a rejection cannot be recorded, and say so", async () => {
    let storeDown = true;
    const { guard, session, backend, rows } = await createWorld({
      decideApproval: (id, decision) =>
        storeDown
          ? Promise.reject(new WritError("store.unavailable", "The store is unreachable."))
          : backend.decideApproval(id, decision),
    });
    const { tools } = refundTools();
    const guarded = withWrit(tools, { guard, session, actions });
    const model = scriptedModel([call("approve_refund", { amount: 5000 }), say("ok")]);
    const { answer } = await untilApprovalRequest(model, guarded);

    await expect(recordApprovalResponses(guarded, answer(false))).rejects.toMatchObject({
      code: "store.unavailable",
    });
    expect((await rows()).map(summary)).toEqual(["decision:approval_required:approval.required"]);
    storeDown = false;
    await recordApprovalResponses(guarded, answer(false));
    expect((await rows()).map(summary)).toEqual([
      "decision:approval_required:approval.required",
      "approval:deny:approval.rejected",
    ]);
  });

  it("refuse an approved call whose authority was revoked before the run resumed", async () => {
    const { guard, session, backend, rows } = await createWorld();
    const { tools, ran } = refundTools();
    const guarded = withWrit(tools, { guard, session, actions });
    const model = scriptedModel([call("approve_refund", { amount: 5000 }), say("Revoked.")]);
    const { answer } = await untilApprovalRequest(model, guarded);
    await backend.revoke("agent", "support");

    await generateText({ model, tools: guarded, messages: answer(true), stopWhen: stepCountIs(3) });
    expect(ran).toEqual([]);
    expect(toolResultSeen(model.doGenerateCalls, 1)).toEqual({
      type: "error-text",
      value: expect.stringContaining("has been revoked"),
    });
    expect((await rows()).map(summary)).toEqual([
      "decision:approval_required:approval.required",
      "decision:deny:revoked.agent",
    ]);
  });

  it("combine the tool's own needsApproval with the policy: the guard's denial comes first", async () => {
    const { guard, session, rows } = await createWorld();
    const ran: number[] = [];
    const tools = {
      approve_refund: tool({
        inputSchema: z.object({ amount: z.number() }),
        needsApproval: async ({ amount }) => amount > 10,
        execute: async ({ amount }) => {
          ran.push(amount);
          return `refunded ${amount}`;
        },
      }),
    };
    const guarded = withWrit(tools, { guard, session, actions });

    const asked = scriptedModel([call("approve_refund", { amount: 20 }), say("Refunded.")]);
    const { answer } = await untilApprovalRequest(asked, guarded);
    await generateText({
      model: asked,
      tools: guarded,
      messages: answer(true),
      stopWhen: stepCountIs(3),
    });
    expect(ran).toEqual([20]);

    const free = scriptedModel([call("approve_refund", { amount: 5 }, "call-2"), say("ok")]);
    const direct = await generateText({
      model: free,
      tools: guarded,
      messages: prompt,
      stopWhen: stepCountIs(3),
    });
    expect(direct.content.some((part) => part.type === "tool-approval-request")).toBe(false);
    expect(ran).toEqual([20, 5]);

    const refused = scriptedModel([call("approve_refund", { amount: 50000 }, "call-3"), say("no")]);
    const denied = await generateText({
      model: refused,
      tools: guarded,
      messages: prompt,
      stopWhen: stepCountIs(3),
    });
    expect(denied.content.some((part) => part.type === "tool-approval-request")).toBe(false);
    expect(toolResultSeen(refused.doGenerateCalls, 1, "call-3")).toMatchObject({
      type: "error-text",
    });
    expect(ran).toEqual([20, 5]);
    // The tool's own approval is the application's, not the policy's: no approval request in Writ.
    expect((await rows()).map((row) => `${row.callId} ${summary(row)}`)).toEqual([
      "call-1 decision:allow:granted",
      "call-1 outcome:ok",
      "call-2 decision:allow:granted",
      "call-2 outcome:ok",
      "call-3 decision:deny:grant.condition_failed",
    ]);
  });
});
