import { canonicalJson, sha256Hex } from "@writ/core/backend";
import { type InferToolOutput, tool } from "ai";
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import {
  recordApprovalResponses,
  usableTools,
  type WritDenial,
  withWrit,
  writToolApproval,
  writToolsContext,
} from "../src/index.js";
import { executionOptions } from "./sdk-version.js";
import { actions, refundTools } from "./tools.js";
import { createWorld, summary } from "./world.js";

const MAPPED: Record<string, string | undefined> = {
  approve_refund: "refunds.approve",
  payroll_run: "payroll.run",
};

describe("withWrit", () => {
  it("keeps the set's names, descriptions and schemas", async () => {
    const { guard, session } = await createWorld();
    const { tools } = refundTools();
    const guarded = withWrit(tools, { guard, session, actions });
    expect(Object.keys(guarded)).toEqual(["approve_refund"]);
    expect(guarded.approve_refund.description).toBe(tools.approve_refund.description);
    expect(guarded.approve_refund.inputSchema).toBe(tools.approve_refund.inputSchema);
    expect(guarded.approve_refund.execute).not.toBe(tools.approve_refund.execute);
    expectTypeOf(guarded).toEqualTypeOf(tools);
    const results = withWrit(tools, { guard, session, actions, denial: "result" });
    expectTypeOf<InferToolOutput<typeof results.approve_refund>>().toEqualTypeOf<
      string | WritDenial
    >();
    const shared = withWrit(tools, { guard, actions, denial: "result" });
    expectTypeOf<InferToolOutput<typeof shared.approve_refund>>().toEqualTypeOf<
      string | WritDenial
    >();
  });

  it("refuses misuse with a TypeError that says what to do", async () => {
    const { guard, session } = await createWorld();
    const { tools } = refundTools();
    const execute = async () => "ok";
    const schema = z.object({});
    expect(() =>
      withWrit({ "refund order": tool({ inputSchema: schema, execute }) }, { guard }),
    ).toThrow(
      new TypeError(
        'withWrit: tool "refund order" has no valid Writ action. A tool\'s name is its action (segments of letters, digits, "_" and "-", separated by "." or "/") unless it is mapped, and this one is not. Map it: actions: { "refund order": "refunds.approve" }.',
      ),
    );
    expect(() =>
      withWrit(
        { "refund order": tool({ inputSchema: schema, execute }) },
        {
          guard,
          actions: { "refund order": "refunds.approve" },
        },
      ),
    ).not.toThrow();
    expect(() =>
      withWrit(tools, { guard, actions: { approve_refund: "refunds approve" } }),
    ).toThrow(/the action for tool "approve_refund" is "refunds approve"/);
    expect(() =>
      withWrit(tools, { guard, actions: { approve_refnud: "refunds.approve" } as never }),
    ).toThrow(/"approve_refnud", which is not a tool of this set/);
    expect(() => withWrit({ show_card: tool({ inputSchema: schema }) }, { guard })).toThrow(
      /has no execute function/,
    );
    expect(() => withWrit(tools, { session } as never)).toThrow(/needs \{ guard \}/);
    expect(() => withWrit(tools, { guard, session: {} as never })).toThrow(/must be a Session/);
    expect(() =>
      withWrit(
        {
          typed: tool({
            inputSchema: schema,
            outputSchema: z.string(),
            execute,
          }),
        },
        { guard, denial: "result" },
      ),
    ).toThrow(/outputSchema/);
    // The helpers around a guarded set say what they need, too.
    expect(() => writToolsContext(tools, {} as never)).toThrow(/needs the Session/);
    expect(() => writToolApproval({ approve_refund: "user-approval" } as never)).toThrow(
      /your own approval rules as one function/,
    );
    await expect(recordApprovalResponses(tools, "messages" as never)).rejects.toThrow(
      /needs the guarded tools and the messages/,
    );
    await expect(recordApprovalResponses(tools, [], { by: "" })).rejects.toThrow(
      /by must be a non-empty string/,
    );
  });

  it("names the tools a session could ever use, for activeTools", async () => {
    const { guard, session, sessionFor, worker } = await createWorld();
    const execute = async () => "ok";
    const schema = z.object({});
    const own = tool({ inputSchema: schema, execute });
    const guarded = withWrit(
      {
        approve_refund: tool({ inputSchema: schema, execute }),
        "orders/lookup": tool({ inputSchema: schema, execute }),
        payroll_run: tool({ inputSchema: schema, execute }),
      },
      {
        guard,
        session,
        actions: (name) => MAPPED[name],
      },
    );
    const tools = { ...guarded, own };
    expect(usableTools(tools)).toEqual(["approve_refund", "orders/lookup", "own"]);
    expect(usableTools(tools, sessionFor(worker, "refunds.approve"))).toEqual([
      "approve_refund",
      "own",
    ]);
    const shared = withWrit({ approve_refund: own }, { guard, actions });
    expect(() => usableTools(shared)).toThrow(
      /usableTools has no session for tool "approve_refund"/,
    );
  });

  it("records a stream its consumer closes early as ended with an error", async () => {
    const { guard, session, rows } = await createWorld();
    const guarded = withWrit(
      {
        lookup_order: tool({
          inputSchema: z.object({ order: z.string() }),
          async *execute({ order }) {
            yield `${order}: searching`;
            yield `${order}: shipped`;
          },
        }),
      },
      { guard, session, actions: { lookup_order: "orders.lookup" } },
    );
    const stream = guarded.lookup_order.execute?.(
      { order: "C3" },
      executionOptions("call-early"),
    ) as AsyncIterable<string>;
    for await (const value of stream) {
      expect(value).toBe("C3: searching");
      break;
    }
    const recorded = await rows();
    expect(recorded.map(summary)).toEqual(["decision:allow:granted", "outcome:error"]);
    expect(recorded[1]?.error).toContain("closed before it completed");
  });

  it("takes the last value of an execute that returns an AsyncIterable without being a generator", async () => {
    const { guard, session, rows } = await createWorld();
    async function* statuses(order: string) {
      yield `${order}: searching`;
      yield `${order}: shipped`;
    }
    const started: string[] = [];
    const tools = {
      lookup_order: tool({
        inputSchema: z.object({ order: z.string() }),
        execute: ({ order }) => {
          started.push(order);
          return statuses(order);
        },
      }),
    };
    const guarded = withWrit(tools, {
      guard,
      session,
      actions: { lookup_order: "orders.lookup" },
    });
    const options = executionOptions("call-d4");
    expect(await guarded.lookup_order.execute?.({ order: "D4" }, options)).toBe("D4: shipped");
    const recorded = await rows();
    expect(recorded.map(summary)).toEqual(["decision:allow:granted", "outcome:ok"]);
    expect(recorded[1]?.outputHash).toBe(sha256Hex(canonicalJson("D4: shipped")));

    const outside = withWrit(tools, { guard, session, actions: { lookup_order: "payroll.run" } });
    await expect(
      outside.lookup_order.execute?.({ order: "E5" }, { ...options, toolCallId: "call-e5" }),
    ).rejects.toMatchObject({ name: "WritError", code: "grant.action_not_granted" });
    expect(started).toEqual(["D4"]);
  });
});
