import {
  type AllowDecision,
  createGuard,
  isWritError,
  RunningCalls,
  resumeApproval,
  runAllowed,
  streamAllowed,
  toolActionResolver,
  usableActions,
  WritError,
} from "@writ/core";
import { canonicalJson, sha256Hex } from "@writ/core/backend";
import { overrideBackend } from "@writ/core/testing";
import { describe, expect, it } from "vitest";
import { AUDIENCE, createWorld } from "./world.js";

const refund = (amount: number, callId = "call-1") => ({
  action: "refunds.approve",
  tool: "approve_refund",
  args: { amount },
  callId,
});

/** A world whose guard allowed one refund call, and the ledger rows of that call. */
async function allowedWorld() {
  const world = await createWorld();
  const session = world.plannerSession();
  const call = world.guard.callFrom(session, refund(20));
  const decision = await world.guard.authorize(call);
  if (decision.effect !== "allow") throw new Error("The refund should be allowed.");
  const outcomes = () =>
    world.backend.records
      .filter((row) => row.kind === "outcome")
      .map((row) => [row.outcome, row.error ?? null]);
  return { ...world, session, call, decision, outcomes };
}

describe("toolActionResolver: the one rule tools map to actions by", () => {
  it("takes the table's action, else the tool's declared one, else its name with / read as .", () => {
    const resolver = toolActionResolver({ approve_refund: "refunds.approve" }, { where: "kit" });
    expect(resolver.actionOf("approve_refund")).toBe("refunds.approve");
    expect(resolver.actionOf("approve_refund", "ignored.action")).toBe("refunds.approve");
    expect(resolver.actionOf("lookup", "crm.read")).toBe("crm.read");
    expect(resolver.actionOf("files/read")).toBe("files.read");
    expect(resolver.actionOf("email.send")).toBe("email.send");
    expect(resolver.actionOf("search")).toBe("search");
  });

  it("asks a function, and uses the name when the function answers nothing", () => {
    const resolver = toolActionResolver(
      (tool) => (tool.startsWith("crm_") ? `crm.${tool.slice(4)}` : undefined),
      { where: "kit" },
    );
    expect(resolver.actionOf("crm_lookup")).toBe("crm.lookup");
    expect(resolver.actionOf("docs/read")).toBe("docs.read");
  });

  it("puts a prefix before names, never before mapped actions", () => {
    const resolver = toolActionResolver({ purge: "ops.purge" }, { where: "kit", prefix: "fs." });
    expect(resolver.actionOf("read_file")).toBe("fs.read_file");
    expect(resolver.actionOf("dir/list")).toBe("fs.dir.list");
    expect(resolver.actionOf("purge")).toBe("ops.purge");
  });

  it("refuses, with a TypeError naming the tool and the fix, whatever gives no valid action", () => {
    expect(() => toolActionResolver({ lookup: "crm lookup" }, { where: "kit" })).toThrow(
      new TypeError(
        'kit: the action for tool "lookup" is "crm lookup"; use a dotted name like "refunds.approve".',
      ),
    );
    expect(() => toolActionResolver([] as never, { where: "kit" })).toThrow(TypeError);
    const resolver = toolActionResolver(() => "not an action", { where: "kit" });
    expect(() => resolver.actionOf("lookup")).toThrow(/kit: the actions function answered/);
    const plain = toolActionResolver(undefined, { where: "kit" });
    expect(() => plain.actionOf("lookup", 42)).toThrow(/kit: tool "lookup" declares the action 42/);
    for (const name of ["refund order", "ops..purge", "/files", "files/", ""]) {
      expect(() => plain.actionOf(name), name).toThrow(
        `kit: tool ${JSON.stringify(name)} has no valid Writ action.`,
      );
      expect(plain.findAction(name)).toBeUndefined();
    }
  });
});

describe("runAllowed", () => {
  it("runs the tool and records its output as the outcome", async () => {
    const { guard, call, decision, outcomes } = await allowedWorld();
    const output = await runAllowed(guard, decision, call, () => "refunded");
    expect(output).toBe("refunded");
    expect(outcomes()).toEqual([["ok", null]]);
  });

  it("records an output the framework marks as failed as a failed outcome, without its content", async () => {
    const { guard, call, decision, outcomes, backend } = await allowedWorld();
    const failure = { isError: true, text: "no refund for 20" };
    const output = await runAllowed(guard, decision, call, () => failure, {
      failed: (result) => result.isError,
    });
    expect(output).toBe(failure);
    expect(outcomes()).toEqual([["error", "Error: The tool returned an error result."]]);
    expect(JSON.stringify(backend.records)).not.toContain("no refund");
  });

  it("records a thrown error as a failed outcome and rethrows it", async () => {
    const { guard, call, decision, outcomes } = await allowedWorld();
    const thrown = new Error("payments down");
    await expect(runAllowed(guard, decision, call, () => Promise.reject(thrown))).rejects.toBe(
      thrown,
    );
    expect(outcomes()).toEqual([["error", "Error: payments down"]]);
  });

  it("records nothing for an error that pauses the tool, and rethrows it", async () => {
    const { guard, call, decision, outcomes } = await allowedWorld();
    const pause = new Error("interrupt");
    await expect(
      runAllowed(guard, decision, call, () => Promise.reject(pause), {
        suspends: (error) => error === pause,
      }),
    ).rejects.toBe(pause);
    expect(outcomes()).toEqual([]);
    expect(guard.checkCall(decision).valid).toBe(true);
  });

  it("delivers the output before its outcome is recorded", async () => {
    const { guard, call, decision, outcomes } = await allowedWorld();
    const seen: unknown[] = [];
    await runAllowed(guard, decision, call, () => "refunded", {
      deliver: (output) => seen.push([output, outcomes().length]),
    });
    expect(seen).toEqual([["refunded", 0]]);
    expect(outcomes()).toEqual([["ok", null]]);
  });
});

describe("streamAllowed", () => {
  async function* values(fail?: Error) {
    yield "one";
    if (fail) throw fail;
    yield "two";
  }

  it("passes every value through and records the last one when the stream completes", async () => {
    const { guard, call, decision, outcomes, backend } = await allowedWorld();
    const seen: string[] = [];
    for await (const value of streamAllowed(guard, decision, call, () => values()))
      seen.push(value);
    expect(seen).toEqual(["one", "two"]);
    expect(outcomes()).toEqual([["ok", null]]);
    const outcome = backend.records.find((row) => row.kind === "outcome");
    // The last value is what the outcome row's hash covers.
    expect(outcome?.outputHash).toBe(sha256Hex(canonicalJson("two")));
  });

  it("records the error a stream fails with, and rethrows it", async () => {
    const { guard, call, decision, outcomes } = await allowedWorld();
    const failure = new Error("feed lost");
    const read = async () => {
      for await (const _ of streamAllowed(guard, decision, call, () => values(failure)));
    };
    await expect(read()).rejects.toBe(failure);
    expect(outcomes()).toEqual([["error", "Error: feed lost"]]);
  });

  it("records a stream its consumer stops reading as ended early", async () => {
    const { guard, call, decision, outcomes } = await allowedWorld();
    for await (const _ of streamAllowed(guard, decision, call, () => values())) break;
    expect(outcomes()).toEqual([["error", "Error: The stream was closed before it completed."]]);
  });
});

describe("resumeApproval", () => {
  async function pendingWorld(options: Parameters<typeof overrideBackend>[1] = {}) {
    const world = await createWorld();
    world.backend.putUser({
      id: "alice",
      permissions: "refunds.approve(amount < 5000) needs approval",
    });
    const guard = await createGuard({
      backend: overrideBackend(world.backend, options),
      issuer: world.issuer,
      audience: AUDIENCE,
      clock: world.clock,
      random: world.random,
    });
    const session = world.plannerSession();
    const pending = await guard.authorize(guard.callFrom(session, refund(60)));
    if (pending.effect !== "approval_required") throw new Error("The refund should need approval.");
    const retry = () =>
      guard.authorize(guard.callFrom(session, { ...refund(60), approvalId: pending.approvalId }));
    const approvals = () =>
      world.backend.records
        .filter((row) => row.kind === "approval")
        .map((row) => [row.reason, row.detail?.by]);
    return { ...world, guard, pending, retry, approvals };
  }

  it("records the human's answer, so the retried call is released once", async () => {
    const { guard, pending, retry, approvals } = await pendingWorld();
    await resumeApproval(guard, pending.approvalId, { approved: true, by: "ops@example.com" });
    expect(approvals()).toEqual([["approval.granted", "ops@example.com"]]);
    expect(await retry()).toMatchObject({ effect: "allow", code: "approval.granted" });
    expect(await retry()).toMatchObject({ effect: "deny", code: "approval.consumed" });
  });

  it("leaves to the retried call's decision a request decided meanwhile", async () => {
    const { guard, pending, retry, approvals } = await pendingWorld();
    await guard.decideApproval(pending.approvalId, { approved: false, by: "operator" });
    await resumeApproval(guard, pending.approvalId, { approved: true, by: "late reviewer" });
    expect(approvals()).toEqual([["approval.rejected", "operator"]]);
    expect(await retry()).toMatchObject({ effect: "deny", code: "approval.rejected" });
  });

  it("throws what is not about the request: the answer was not recorded, nothing runs", async () => {
    const down = new WritError("store.unavailable", "The store is down.");
    const { guard, pending, retry } = await pendingWorld({
      decideApproval: () => Promise.reject(down),
    });
    await expect(
      resumeApproval(guard, pending.approvalId, { approved: true, by: "ops" }),
    ).rejects.toBe(down);
    expect(await retry()).toMatchObject({ effect: "approval_required" });
    const broken = await pendingWorld({
      decideApproval: () => Promise.reject(new RangeError("bug")),
    });
    await expect(
      resumeApproval(broken.guard, broken.pending.approvalId, { approved: true, by: "ops" }),
    ).rejects.toThrow(RangeError);
  });
});

describe("usableActions", () => {
  it("tells which actions a writ could ever be allowed, and gives no writ nothing", async () => {
    const { guard, plannerSession } = await createWorld();
    const usable = usableActions(guard, plannerSession().writ);
    expect(["refunds.approve", "docs.read", "payroll.run"].filter(usable)).toEqual([
      "refunds.approve",
      "docs.read",
    ]);
    expect(usableActions(guard, plannerSession().writ.toString())("docs.read")).toBe(true);
    expect(usableActions(guard, undefined)("docs.read")).toBe(false);
    expect(usableActions(guard, "")("docs.read")).toBe(false);
  });
});

describe("RunningCalls", () => {
  const decision = { effect: "allow", callId: "c1", action: "a.b" } as AllowDecision;
  const usage = "allowedCall(x) works inside a guarded tool.";

  it("finds a call from when its tool starts until it returns, by owner and id", async () => {
    const calls = new RunningCalls();
    const owner = {};
    const seen = await calls.within(owner, "c1", { decision }, async () => [
      calls.allowedCall(owner, "c1", usage),
      calls.find(owner, "c2"),
      calls.find({}, "c1"),
    ]);
    expect(seen).toEqual([decision, undefined, undefined]);
    expect(calls.find(owner, "c1")).toBeUndefined();
    const outside = (() => {
      try {
        return calls.allowedCall(owner, "c1", usage);
      } catch (error) {
        return error;
      }
    })();
    expect(isWritError(outside) && [outside.code, outside.message]).toEqual([
      "credential.outside_call",
      usage,
    ]);
  });

  it("keeps a streaming tool's call until the stream ends, also when it fails", async () => {
    const calls = new RunningCalls();
    const owner = {};
    const seen: unknown[] = [];
    const stream = calls.streamWithin(owner, "c1", { decision }, async function* () {
      yield 1;
      seen.push(calls.find(owner, "c1")?.decision);
      throw new Error("cut");
    });
    await expect(
      (async () => {
        for await (const _ of stream);
      })(),
    ).rejects.toThrow("cut");
    expect(seen).toEqual([decision]);
    expect(calls.find(owner, "c1")).toBeUndefined();
  });
});
