import { describe, expect, it } from "vitest";
import { IssuerKeySet, Session, createAgentIdentity, createGuard, issueWrit } from "@writ/core";
import { MemoryBackend } from "@writ/core/testing";

describe("smoke", () => {
  it("allows and denies", async () => {
    const issuer = IssuerKeySet.generate("writ:test");
    const planner = createAgentIdentity("planner");
    const worker = createAgentIdentity("worker");
    const backend = new MemoryBackend();
    backend.putUser({ id: "alice", permissions: "refunds.approve(amount < 10000); email.send" });
    backend.putAgent({ id: "planner", policy: "refunds.*", keys: [planner] });
    backend.putAgent({ id: "worker", policy: "refunds.approve", keys: [worker] });
    const guard = await createGuard({ backend, issuer, audience: "urn:test" });
    const writ = issueWrit({ issuer, user: { id: "alice", permissions: backend.user("alice")!.permissions }, agent: { ...planner, policy: "refunds.*" } });
    const session = new Session(planner, writ);
    const workerSession = session.delegate(worker, { grants: "refunds.approve(amount < 5000)" });
    const ok = await guard.run(guard.callFrom(workerSession, { action: "refunds.approve", tool: "approve_refund", args: { amount: 100 } }), () => "done");
    expect(ok.decision.effect).toBe("allow");
    const no = await guard.authorize(guard.callFrom(workerSession, { action: "refunds.approve", tool: "approve_refund", args: { amount: 6000 } }));
    expect(no).toMatchObject({ effect: "deny", code: "grant.condition_failed", hop: 1, path: "amount" });
    console.log(no.message, backend.records.length);
  });
});
