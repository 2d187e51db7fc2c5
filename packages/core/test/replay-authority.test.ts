import { describe, expect, it } from "vitest";
import { replayAuthority } from "../src/backend/index.js";
import { parseGrantText } from "../src/index.js";

const grants = parseGrantText;

describe("replayAuthority: the guard's grant step, from grants given as data", () => {
  const base = {
    action: "refunds.approve",
    args: { amount: 120, currency: "USD" },
    hops: [
      grants("refunds.approve(amount < 1000)"),
      grants("refunds.approve(amount < 250) needs approval"),
    ],
    agents: ["planner", "worker"],
    permissions: grants("refunds.approve(amount < 1000)"),
    policies: [grants("refunds.*"), grants("refunds.approve")],
  };

  it("allows, asks for approval, and denies as the guard does, naming the hop and agent", () => {
    expect(replayAuthority({ ...base, args: { amount: 20 } }).effect).toBe("approval_required");
    expect(replayAuthority(base)).toEqual({
      effect: "approval_required",
      code: "approval.required",
    });
    expect(
      replayAuthority({ ...base, hops: [base.hops[0] ?? [], grants("refunds.approve")] }),
    ).toEqual({
      effect: "allow",
      code: "granted",
    });
    expect(replayAuthority({ ...base, args: { amount: 300 } })).toMatchObject({
      effect: "deny",
      code: "grant.condition_failed",
      hop: 1,
      agent: "worker",
      path: "amount",
    });
  });

  it("applies current permissions and policies: a narrower policy refuses what the writ allows", () => {
    expect(
      replayAuthority({
        ...base,
        policies: [grants("refunds.*"), grants("refunds.approve(amount < 100)")],
      }),
    ).toMatchObject({ effect: "deny", code: "live.policy_denied", agent: "worker" });
    expect(replayAuthority({ ...base, permissions: grants("tickets.read") })).toMatchObject({
      effect: "deny",
      code: "live.permission_denied",
    });
    expect(replayAuthority({ ...base, permissions: undefined }).code).toBe("live.user_unknown");
    expect(replayAuthority({ ...base, policies: [undefined, base.policies[1]] })).toMatchObject({
      code: "live.agent_unknown",
      agent: "planner",
    });
  });

  it("cannot tell when a condition names a set, which only the application resolves", () => {
    const sets = { ...base, action: "email.send", args: { to: "a@example.com" } };
    expect(
      replayAuthority({
        ...sets,
        hops: [grants("email.send(to in @crm.contacts)")],
        agents: ["planner"],
        permissions: grants("email.send"),
        policies: [grants("email.*")],
      }),
    ).toEqual({ effect: "unknown", code: "grant.set_unavailable", path: "to" });
  });
});
