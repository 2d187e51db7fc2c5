import type { AllowDecision } from "@writ/core";
import { describe, expect, it } from "vitest";
import { createWorld } from "./world.js";

const refund = { action: "refunds.approve", tool: "approve_refund", args: { amount: 20 } };

describe("guard.checkCall", () => {
  it("answers for an allowed call while it runs, and no longer once its outcome is recorded", async () => {
    const { guard, plannerSession } = await createWorld();
    const session = plannerSession();
    const decision = (await guard.authorize(guard.callFrom(session, refund))) as AllowDecision;
    expect(guard.checkCall(decision)).toEqual({
      valid: true,
      callId: decision.callId,
      action: "refunds.approve",
      tool: "approve_refund",
      user: "alice",
      agent: "planner",
      chain: ["planner"],
      hops: [session.writ.root.claims.jti],
      decidedAt: expect.any(Number),
    });
    await guard.complete(decision, { ok: true, output: "done" });
    expect(guard.checkCall(decision)).toMatchObject({
      valid: false,
      code: "credential.outside_call",
    });
    // guard.run() ends the call when the tool returns.
    let inside: unknown;
    const { decision: ran } = await guard.run(guard.callFrom(session, refund), (allowed) => {
      inside = guard.checkCall(allowed);
    });
    expect(inside).toMatchObject({ valid: true });
    expect(guard.checkCall(ran as AllowDecision)).toMatchObject({ valid: false });
  });

  it("refuses decisions that did not allow, that it did not make, or that are too old", async () => {
    const { guard, plannerSession, clock } = await createWorld();
    const session = plannerSession();
    const denied = await guard.authorize(
      guard.callFrom(session, { ...refund, args: { amount: 20_000 } }),
    );
    expect(denied.effect).toBe("deny");
    expect(guard.checkCall(denied as unknown as AllowDecision)).toMatchObject({
      valid: false,
      code: "credential.outside_call",
    });
    const allowed = (await guard.authorize(guard.callFrom(session, refund))) as AllowDecision;
    expect(guard.checkCall({ ...allowed, user: "mallory" })).toMatchObject({ valid: false });
    expect(guard.checkCall({ ...allowed, eventId: "not-an-event" })).toMatchObject({
      valid: false,
      code: "credential.outside_call",
    });
    clock.advance(5_001);
    expect(guard.checkCall(allowed, { maxAgeMs: 5_000 })).toMatchObject({
      valid: false,
      code: "credential.call_expired",
    });
    expect(guard.checkCall(allowed, { maxAgeMs: 10_000 })).toMatchObject({ valid: true });
    expect(() => guard.checkCall(allowed, { maxAgeMs: 0 })).toThrow(TypeError);
  });

  it("checks live state now: revocations, and permissions or policies that no longer reach the action", async () => {
    const { guard, plannerSession, backend } = await createWorld();
    const call = async () =>
      (await guard.authorize(guard.callFrom(plannerSession(), refund))) as AllowDecision;
    const permission = await call();
    backend.putUser({ id: "alice", permissions: "docs.read" });
    expect(guard.checkCall(permission)).toMatchObject({
      valid: false,
      code: "live.permission_denied",
    });
    backend.putUser({ id: "alice", permissions: "refunds.*" });
    const policy = await call();
    const planner = backend.agent("planner");
    backend.putAgent({ id: "planner", policy: "docs.read", keys: [...(planner?.keys ?? [])] });
    expect(guard.checkCall(policy)).toMatchObject({ valid: false, code: "live.policy_denied" });
  });

  it("forgets the oldest open calls beyond maxOpenCalls (they then count as finished)", async () => {
    const { guard, plannerSession } = await createWorld({ maxOpenCalls: 2 });
    const session = plannerSession();
    const calls: AllowDecision[] = [];
    for (let index = 0; index < 3; index++)
      calls.push((await guard.authorize(guard.callFrom(session, refund))) as AllowDecision);
    expect(calls.map((decision) => guard.checkCall(decision).valid)).toEqual([false, true, true]);
  });
});
