import { context, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { continueTrace, propagateTrace, runAllowed, streamAllowed } from "@writ/core";
import { createTestWorld, fixedClock } from "@writ/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type InMemoryTelemetry,
  installInMemoryTelemetry,
} from "../../../test/support/in-memory-telemetry.js";
import { createWorld } from "./world.js";

/** Argument values no span, attribute or metric may ever hold. */
const AMOUNT = 4321.75;
const NOTE = "note-value-8b1f";

const refund = (callId: string, amount = AMOUNT) => ({
  action: "refunds.approve",
  tool: "approve_refund",
  args: { amount, note: NOTE },
  callId,
});

let telemetry: InMemoryTelemetry;
beforeEach(() => {
  telemetry = installInMemoryTelemetry();
});
afterEach(async () => {
  await telemetry.uninstall();
});

const application = () => trace.getTracer("the-application");
const named = (name: string) => telemetry.spans().filter((span) => span.name === name);
const only = (name: string) => {
  const spans = named(name);
  expect(spans, name).toHaveLength(1);
  return spans[0] as NonNullable<(typeof spans)[0]>;
};
const parentOf = (span: { parentSpanContext?: { spanId: string } | undefined }) =>
  span.parentSpanContext?.spanId;
const idOf = (span: { spanContext(): { spanId: string } }) => span.spanContext().spanId;

describe("guard spans", () => {
  it("trace an allowed call as writ.authorize under the caller's span and the tool's run under it", async () => {
    const world = await createWorld();
    const session = world.plannerSession();
    await application().startActiveSpan("agent step", async (step) => {
      const call = world.guard.callFrom(session, { ...refund("call-1"), adapter: "test" });
      await world.guard.run(call, () =>
        application().startActiveSpan("refund API", (inner) => inner.end()),
      );
      step.end();
    });

    const step = only("agent step");
    const authorize = only("writ.authorize");
    const tool = only("writ.run_tool");
    expect(parentOf(authorize)).toBe(idOf(step));
    expect(parentOf(tool)).toBe(idOf(authorize));
    expect(parentOf(only("refund API"))).toBe(idOf(tool));
    const [decisionRow] = await world.rows(["decision"]);
    expect(authorize.kind).toBe(SpanKind.INTERNAL);
    expect(authorize.attributes).toEqual({
      "writ.action": "refunds.approve",
      "gen_ai.tool.name": "approve_refund",
      "gen_ai.tool.call.id": "call-1",
      "gen_ai.agent.id": "planner",
      "writ.user": "alice",
      "writ.agent.chain": ["planner"],
      "writ.decision.effect": "allow",
      "writ.decision.code": "granted",
      "writ.ledger.event_id": decisionRow?.id,
      "writ.adapter": "test",
    });
    expect(tool.attributes).toEqual({
      "gen_ai.tool.name": "approve_refund",
      "gen_ai.tool.call.id": "call-1",
      "gen_ai.agent.id": "planner",
      "writ.action": "refunds.approve",
      "writ.user": "alice",
      "writ.ledger.event_id": decisionRow?.id,
    });
    expect(tool.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("name the deciding hop and agent of a refusal, and run no tool span", async () => {
    const world = await createWorld();
    const worker = world
      .plannerSession()
      .delegate(world.worker, { grants: "refunds.approve(amount < 100)" });
    // The planner let the worker approve refunds under 100 only: its hop decides.
    const call = world.guard.callFrom(worker, refund("call-2", 500));
    const result = await world.guard.run(call, () => "never");
    expect(result.decision.effect).toBe("deny");
    const authorize = only("writ.authorize");
    expect(authorize.attributes).toMatchObject({
      "writ.decision.effect": "deny",
      "writ.decision.code": result.decision.code,
      "writ.decision.hop": 1,
      "writ.decision.decided_by": result.decision.decidedBy,
      "writ.agent.chain": ["planner", "worker"],
      "gen_ai.agent.id": "worker",
    });
    expect(named("writ.run_tool")).toEqual([]);
  });

  it("mark a tool that throws or reports an error as failed, by the error's class alone", async () => {
    const world = await createWorld();
    const session = world.plannerSession();
    const thrown = world.guard.run(world.guard.callFrom(session, refund("call-3")), () => {
      throw new RangeError(`refund of ${AMOUNT} failed: ${NOTE}`);
    });
    await expect(thrown).rejects.toThrow(RangeError);
    const call = world.guard.callFrom(session, refund("call-4"));
    const decision = await world.guard.authorize(call);
    if (decision.effect !== "allow") throw new Error("The refund should be allowed.");
    await runAllowed(world.guard, decision, call, () => ({ isError: true }), {
      failed: (output) => output.isError,
    });
    const [threw, reported] = named("writ.run_tool");
    expect(threw?.status.code).toBe(SpanStatusCode.ERROR);
    expect(threw?.attributes["error.type"]).toBe("RangeError");
    expect(threw?.events).toEqual([]);
    expect(reported?.status.code).toBe(SpanStatusCode.ERROR);
    expect(reported?.attributes["error.type"]).toBe("Error");
  });

  it("run each step of a streaming tool inside its span, ended when the stream ends", async () => {
    const world = await createWorld();
    const call = world.guard.callFrom(world.plannerSession(), refund("call-5"));
    const decision = await world.guard.authorize(call);
    if (decision.effect !== "allow") throw new Error("The refund should be allowed.");
    const seen: string[] = [];
    async function* chunks() {
      for (const chunk of ["a", "b"]) {
        application().startActiveSpan(`chunk ${chunk}`, (span) => span.end());
        yield chunk;
      }
    }
    for await (const chunk of streamAllowed(world.guard, decision, call, chunks)) seen.push(chunk);
    expect(seen).toEqual(["a", "b"]);
    const tool = only("writ.run_tool");
    expect(parentOf(tool)).toBe(idOf(only("writ.authorize")));
    expect(parentOf(only("chunk a"))).toBe(idOf(tool));
    expect(parentOf(only("chunk b"))).toBe(idOf(tool));
    expect(tool.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("close a stream its consumer leaves early, and mark its span failed", async () => {
    const world = await createWorld();
    const call = world.guard.callFrom(world.plannerSession(), refund("call-6"));
    const decision = await world.guard.authorize(call);
    if (decision.effect !== "allow") throw new Error("The refund should be allowed.");
    let closed = false;
    async function* endless() {
      try {
        for (;;) yield 1;
      } finally {
        closed = true;
      }
    }
    for await (const _ of streamAllowed(world.guard, decision, call, endless)) break;
    expect(closed).toBe(true);
    expect(only("writ.run_tool").status.code).toBe(SpanStatusCode.ERROR);
    const outcomes = await world.rows(["outcome"]);
    expect(outcomes.map((row) => row.outcome)).toEqual(["error"]);
  });

  it("never hold an argument value, the writ or the proof, in any span or metric", async () => {
    const world = await createWorld();
    const session = world.plannerSession();
    const calls = [refund("call-7"), refund("call-8", 99_999), { ...refund("call-9"), tool: 7 }];
    for (const input of calls) {
      const call = world.guard.callFrom(session, { ...input, tool: "approve_refund" });
      await world.guard
        .run({ ...call, tool: input.tool as string }, () => {
          throw new Error(`failed on ${NOTE}`);
        })
        .catch(() => undefined);
    }
    // Everything a span or metric says, but its timings: names, attributes, events, status.
    const said = JSON.stringify([
      telemetry.spans().map(({ name, attributes, events, status, links }) => ({
        name,
        attributes,
        events,
        status,
        links,
      })),
      (await telemetry.metrics()).map(({ descriptor, dataPoints }) => ({
        descriptor,
        attributes: dataPoints.map(({ attributes }) => attributes),
      })),
    ]);
    expect(named("writ.authorize")).toHaveLength(3);
    for (const secret of [NOTE, String(AMOUNT), "99999", session.writ.toString().slice(0, 40)]) {
      expect(said).not.toContain(secret);
    }
  });
});

describe("guard metrics", () => {
  it("count decisions by effect and code and time the guard and its ledger appends", async () => {
    const world = await createWorld();
    const session = world.plannerSession();
    await world.guard.run(world.guard.callFrom(session, refund("m-1")), () => "ok");
    await world.guard.run(world.guard.callFrom(session, refund("m-2", 50_000)), () => "no");
    const decisions = await telemetry.points("writ.guard.decisions");
    expect(decisions).toEqual(
      expect.arrayContaining([
        {
          attributes: { "writ.decision.effect": "allow", "writ.decision.code": "granted" },
          value: 1,
        },
        {
          attributes: {
            "writ.decision.effect": "deny",
            "writ.decision.code": "grant.condition_failed",
          },
          value: 1,
        },
      ]),
    );
    const durations = await telemetry.points("writ.guard.duration");
    expect(durations.map(({ value }) => (value as { count: number }).count)).toEqual([1, 1]);
    const appends = await telemetry.points("writ.ledger.append.duration");
    expect(
      Object.fromEntries(
        appends.map(({ attributes, value }) => [
          (attributes as Record<string, string>)["writ.ledger.kind"],
          (value as { count: number }).count,
        ]),
      ),
    ).toEqual({ decision: 2, outcome: 1 });
  });

  it("report the live view's staleness and how long a revocation took to be enforced", async () => {
    const world = await createWorld();
    await world.backend.revoke("agent", "worker");
    const lag = await telemetry.points("writ.live.revocation.lag");
    expect(lag).toEqual([
      {
        attributes: { "writ.revocation.kind": "agent" },
        value: expect.objectContaining({ count: 1 }),
      },
    ]);
    // The in-memory backend's feed is synchronous: its view is never stale.
    expect(await telemetry.points("writ.live.staleness")).toEqual([
      { attributes: { "writ.guard.audience": world.guard.audience }, value: 0 },
    ]);
    await world.guard.close();
  });
});

describe("budget metrics", () => {
  it("count each charge reserved, exceeded and released, by budget, never its amount", async () => {
    const world = await createTestWorld({
      clock: fixedClock(Date.UTC(2026, 0, 1, 9)),
      audience: "urn:writ:budgets",
      user: { id: "alice", permissions: "refunds.approve within sum(amount) <= 5000 per 1h" },
      agents: { planner: "refunds.approve" },
    });
    const session = world.session("planner");
    const run = (callId: string, tool: () => string) =>
      world.guard.run(world.guard.callFrom(session, refund(callId)), tool).catch(() => undefined);
    await run("b-1", () => {
      throw new Error("the payment provider is down");
    });
    await run("b-2", () => "refunded");
    await run("b-3", () => "refunded");
    const budget = "sum(amount) <= 5000 per 1h";
    expect(await telemetry.points("writ.budget.charges")).toEqual(
      expect.arrayContaining([
        {
          attributes: {
            "writ.budget": budget,
            "writ.budget.scope": "user",
            "writ.budget.result": "reserved",
          },
          value: 2,
        },
        {
          attributes: {
            "writ.budget": budget,
            "writ.budget.scope": "user",
            "writ.budget.result": "exceeded",
          },
          value: 1,
        },
        { attributes: { "writ.budget.result": "released" }, value: 1 },
      ]),
    );
    const said = JSON.stringify(await telemetry.metrics());
    expect(said).not.toContain(String(AMOUNT));
    await world.guard.close();
  });
});

describe("trace context carriage", () => {
  it("continues the trace a carrier names, and writes the current one into another", async () => {
    const carrier = { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };
    const sent: Record<string, unknown> = {
      traceparent: "00-ffffffffffffffffffffffffffffffff-ffffffffffffffff-01",
    };
    continueTrace(carrier, () =>
      application().startActiveSpan("continued", (span) => {
        propagateTrace(sent);
        span.end();
      }),
    );
    const continued = only("continued");
    expect(continued.spanContext().traceId).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(parentOf(continued)).toBe("b7ad6b7169203331");
    expect(sent.traceparent).toBe(`00-0af7651916cd43dd8448eb211c80319c-${idOf(continued)}-01`);
  });

  it("runs in the current context when the carrier names no trace or is malformed", () => {
    for (const carrier of [undefined, {}, { traceparent: "not a trace" }, { traceparent: 42 }]) {
      expect(continueTrace(carrier, () => trace.getSpan(context.active()))).toBeUndefined();
    }
    expect(propagation.fields()).toContain("traceparent");
  });
});
