/**
 * One conformance suite for every adapter (DESIGN §10): whatever the framework,
 * a guarded tool call must behave the same, because every adapter translates
 * over the same adapter kit in @writ/core. An adapter's tests call
 * `describeAdapterConformance()` with a harness that runs tool calls through
 * its framework (a scripted fake model, an MCP client …) and reports what the
 * caller saw.
 *
 * What a framework cannot do is declared, never skipped silently: a harness
 * without `stream` runs tools that cannot stream (MCP: progress notifications
 * are not tool output), one without `errorResult` has no way for a tool to
 * return a failure (the AI SDK: a tool fails by throwing), and one without
 * `helpers.session` holds no session where the tool runs (an MCP server: the
 * session and its key stay with the client).
 */
import {
  type AllowDecision,
  type Guard,
  isWritError,
  type Session,
  type ToolActions,
} from "@writ/core";
import { createTestWorld, MemoryBackend, type TestBackend } from "@writ/core/testing";
import { describe, expect, it } from "vitest";

/** One tool call to run through the framework. */
export interface ConformanceCall {
  readonly guard: Guard;
  readonly session: Session;
  /** The tool's name in the framework. */
  readonly tool: string;
  /** The adapter's `actions` option; undefined leaves the tool's name to give its action. */
  readonly actions: ToolActions | undefined;
  /** The arguments the (fake) model sends, before the framework parses them. */
  readonly args: Record<string, unknown>;
  /**
   * The tool's implementation; the harness registers it as the tool's body and
   * passes it what the framework handed the tool (options, config, `extra`).
   * A string is the tool's output; anything else is returned as it is (an
   * `errorResult`).
   */
  readonly execute: (args: Record<string, unknown>, context: unknown) => Promise<unknown>;
}

/** A streaming tool call: the body yields its progress, then its output, which it also returns. */
export interface ConformanceStreamCall extends Omit<ConformanceCall, "execute"> {
  readonly execute: (args: Record<string, unknown>) => AsyncGenerator<string, string>;
}

/** What the caller (the model, or the MCP client) got back. */
export interface ConformanceResult {
  /** The text the caller received as the tool result or refusal. */
  readonly text: string;
  /** Whether the framework marked it as an error (error ToolMessage, isError, execution denied …). */
  readonly isError: boolean;
}

/** A human's answer to an approval request. */
export interface ConformanceAnswer {
  readonly approved: boolean;
  /** Who answered: the ledger's `by`. */
  readonly by: string;
}

export interface AdapterHarness {
  /** The adapter name the guard records in the ledger (`Call.adapter`). */
  readonly adapter: string;
  /** Runs one tool call; rejects with the adapter's TypeError when the tool cannot be configured. */
  invoke(call: ConformanceCall): Promise<ConformanceResult>;
  /** Runs one streaming tool call, where the framework streams tool output. */
  readonly stream?: (call: ConformanceStreamCall) => Promise<ConformanceResult>;
  /** What a tool returns to report a failure, where the framework has such a result. */
  readonly errorResult?: (text: string, context: unknown) => unknown;
  /**
   * Runs a call that needs a human's approval through the framework's
   * approval flow: the run that meets the request, then the human's `answer`
   * and the resumed (or retried) call. Returns what the caller got in the end.
   */
  approve(call: ConformanceCall, answer: ConformanceAnswer): Promise<ConformanceResult>;
  /** The names of the tools the framework offers the model (or client) for `session`. */
  offered(options: {
    readonly guard: Guard;
    readonly session: Session;
    readonly tools: readonly string[];
    readonly actions: ToolActions;
  }): Promise<string[]>;
  /** The adapter's helpers a tool calls with what its framework handed it. */
  readonly helpers: {
    allowedCall(context: unknown): AllowDecision;
    readonly session?: (context: unknown) => Session;
  };
}

const TOOL = "approve_refund";
const ACTIONS = { [TOOL]: "refunds.approve" };

export function describeAdapterConformance(
  harness: AdapterHarness,
  makeBackend: () => Promise<TestBackend> | TestBackend = () => new MemoryBackend(),
): void {
  async function world() {
    const {
      backend,
      guard,
      agents,
      session: rootSession,
    } = await createTestWorld({
      backend: await makeBackend(),
      issuer: "writ:conformance",
      audience: `urn:writ:conformance:${harness.adapter}`,
      user: { id: "alice", permissions: "refunds.approve(amount < 10000); email.send" },
      agents: { planner: "refunds.approve; email.send", worker: "refunds.approve" },
    });
    const root = rootSession("planner");
    const worker = agents.worker;
    const session = root.delegate(worker, { grants: "refunds.approve(amount < 50)" });
    let runs = 0;
    const call = (
      args: Record<string, unknown>,
      options: {
        readonly tool?: string;
        readonly actions?: ToolActions | undefined;
        readonly session?: Session;
        readonly execute?: ConformanceCall["execute"];
      } = {},
    ): ConformanceCall => ({
      guard,
      session: options.session ?? session,
      tool: options.tool ?? TOOL,
      actions: "actions" in options ? options.actions : ACTIONS,
      args,
      execute: async (parsed, context) => {
        runs++;
        return options.execute
          ? options.execute(parsed, context)
          : `refunded ${String(parsed.amount)}`;
      },
    });
    /** The rows of the tool calls, as [kind, decision or outcome, reason, action]. */
    const rows = async () =>
      (await backend.ledger())
        .filter((row) => ["decision", "approval", "outcome"].includes(row.kind))
        .map((row) => [
          row.kind,
          row.decision ?? row.outcome,
          row.reason ?? row.error ?? null,
          row.action,
        ]);
    return { backend, guard, root, session, worker, call, rows, runs: () => runs };
  }

  describe(`${harness.adapter} adapter conformance`, () => {
    it("runs an allowed call once and returns its output", async () => {
      const { call, runs, backend } = await world();
      const result = await harness.invoke(call({ amount: 20 }));
      expect(result).toEqual({ text: expect.stringContaining("refunded 20"), isError: false });
      expect(runs()).toBe(1);
      const rows = (await backend.ledger()).filter(
        (row) => row.kind === "decision" || row.kind === "outcome",
      );
      expect(
        rows.map((row) => [
          row.kind,
          row.decision ?? row.outcome,
          row.adapter,
          row.tool,
          row.action,
        ]),
      ).toEqual([
        ["decision", "allow", harness.adapter, TOOL, "refunds.approve"],
        ["outcome", "ok", harness.adapter, TOOL, "refunds.approve"],
      ]);
    });

    it("refuses a call outside a hop's condition without running it, with a model-safe error", async () => {
      const { call, runs, backend } = await world();
      const result = await harness.invoke(call({ amount: 7777 }));
      expect(result.isError).toBe(true);
      expect(result.text).toContain("Denied");
      expect(result.text).toContain("amount");
      expect(result.text).not.toContain("7777");
      expect(runs()).toBe(0);
      const decisions = (await backend.ledger()).filter((row) => row.kind === "decision");
      expect(decisions.map((row) => [row.decision, row.reason, row.adapter])).toEqual([
        ["deny", "grant.condition_failed", harness.adapter],
      ]);
    });

    it("enforces a revocation on the next call", async () => {
      const { call, runs, backend, session } = await world();
      expect((await harness.invoke(call({ amount: 1 }))).isError).toBe(false);
      await backend.revoke("hop", session.writ.leaf.claims.jti);
      const result = await harness.invoke(call({ amount: 1 }));
      expect(result).toEqual({ text: expect.stringContaining("revoked"), isError: true });
      expect(runs()).toBe(1);
    });

    describe("maps tools to actions by one rule", () => {
      it("takes the action a table maps the tool to, refusing actions the writ does not hold", async () => {
        const { call, runs } = await world();
        const result = await harness.invoke(
          call({ amount: 1 }, { actions: { [TOOL]: "email.send" } }),
        );
        expect(result.isError).toBe(true);
        expect(result.text).toContain("email.send");
        expect(runs()).toBe(0);
      });

      it("asks a function, and reads an unmapped tool's name as its action, / as .", async () => {
        const { call, rows } = await world();
        const mapped = await harness.invoke(
          call(
            { amount: 2 },
            { actions: (tool) => (tool === TOOL ? "refunds.approve" : undefined) },
          ),
        );
        expect(mapped).toEqual({ text: expect.stringContaining("refunded 2"), isError: false });
        const named = await harness.invoke(
          call({ amount: 3 }, { tool: "refunds/approve", actions: undefined }),
        );
        expect(named).toEqual({ text: expect.stringContaining("refunded 3"), isError: false });
        expect((await rows()).map(([kind, effect, , action]) => [kind, effect, action])).toEqual([
          ["decision", "allow", "refunds.approve"],
          ["outcome", "ok", "refunds.approve"],
          ["decision", "allow", "refunds.approve"],
          ["outcome", "ok", "refunds.approve"],
        ]);
      });

      it("refuses to configure a tool with no valid action: a TypeError that says how to map it", async () => {
        const { call, runs, rows } = await world();
        // A TypeError, or the framework's wrapping of it under the same name (LangChain's MiddlewareError).
        await expect(
          harness.invoke(call({ amount: 1 }, { tool: "ops..purge", actions: undefined })),
        ).rejects.toMatchObject({
          name: "TypeError",
          message: expect.stringMatching(
            /: tool "ops\.\.purge" has no valid Writ action\. .*Map it: actions: \{ "ops\.\.purge": /,
          ),
        });
        await expect(
          harness.invoke(call({ amount: 1 }, { actions: () => "not an action" })),
        ).rejects.toMatchObject({
          name: "TypeError",
          message: expect.stringMatching(
            /: the actions function answered "not an action" for tool "approve_refund"/,
          ),
        });
        expect(runs()).toBe(0);
        expect(await rows()).toEqual([]);
      });
    });

    describe("records how a tool ended", () => {
      it("a thrown error as a failed outcome, and the caller is told it failed", async () => {
        const { call, rows } = await world();
        const result = await told(
          harness.invoke(
            call({ amount: 5 }, { execute: () => Promise.reject(new Error("payments are down")) }),
          ),
        );
        expect(result).toEqual({
          text: expect.stringContaining("payments are down"),
          isError: true,
        });
        // (An MCP server turns a thrown error into an isError result before the guard sees it.)
        expect((await rows()).at(-1)).toEqual([
          "outcome",
          "error",
          expect.any(String),
          "refunds.approve",
        ]);
      });

      const { errorResult } = harness;
      if (errorResult) {
        it("an error result as a failed outcome, without its content", async () => {
          const { call, rows, backend } = await world();
          const result = await harness.invoke(
            call(
              { amount: 5 },
              { execute: async (_, context) => errorResult("order 5 is closed", context) },
            ),
          );
          expect(result).toEqual({
            text: expect.stringContaining("order 5 is closed"),
            isError: true,
          });
          expect((await rows()).at(-1)).toEqual([
            "outcome",
            "error",
            "Error: The tool returned an error result.",
            "refunds.approve",
          ]);
          expect(JSON.stringify(await backend.ledger())).not.toContain("order 5 is closed");
        });
      }

      const { stream } = harness;
      if (stream) {
        const streamCall = (base: ConformanceCall, fail?: Error): ConformanceStreamCall => ({
          ...base,
          async *execute(args) {
            yield "looking up the order";
            if (fail) throw fail;
            const output = `refunded ${String(args.amount)}`;
            yield output;
            return output;
          },
        });

        it("a streamed tool's output once, when its stream ends", async () => {
          const { call, rows } = await world();
          const result = await stream(streamCall(call({ amount: 7 })));
          expect(result).toEqual({ text: expect.stringContaining("refunded 7"), isError: false });
          expect(await rows()).toEqual([
            ["decision", "allow", "granted", "refunds.approve"],
            ["outcome", "ok", null, "refunds.approve"],
          ]);
        });

        it("a streamed tool's failure once, when its stream fails", async () => {
          const { call, rows } = await world();
          const result = await told(
            stream(streamCall(call({ amount: 7 }), new Error("feed lost"))),
          );
          expect(result.isError).toBe(true);
          expect((await rows()).slice(1)).toEqual([
            ["outcome", "error", expect.stringContaining("feed lost"), "refunds.approve"],
          ]);
        });
      }
    });

    describe("approvals", () => {
      async function approvalWorld() {
        const w = await world();
        const session = w.root.delegate(w.worker, {
          grants: "refunds.approve(amount < 50); refunds.approve(amount < 500) needs approval",
        });
        return { ...w, approvalCall: () => w.call({ amount: 120 }, { session }) };
      }

      it("run a call a human approved exactly once, after the approval is recorded", async () => {
        const { approvalCall, runs, rows, backend } = await approvalWorld();
        const result = await harness.approve(approvalCall(), {
          approved: true,
          by: "ops@example.com",
        });
        expect(result).toEqual({ text: expect.stringContaining("refunded 120"), isError: false });
        expect(runs()).toBe(1);
        expect(await rows()).toEqual([
          ["decision", "approval_required", "approval.required", "refunds.approve"],
          ["approval", "allow", "approval.granted", "refunds.approve"],
          ["decision", "allow", "approval.granted", "refunds.approve"],
          ["outcome", "ok", null, "refunds.approve"],
        ]);
        const approval = (await backend.ledger()).find((row) => row.kind === "approval");
        expect(approval?.detail?.by).toBe("ops@example.com");
      });

      it("never run a call a human rejected, and record the rejection, closing the request", async () => {
        const { approvalCall, runs, rows, backend } = await approvalWorld();
        const result = await harness.approve(approvalCall(), {
          approved: false,
          by: "ops@example.com",
        });
        expect(result.isError).toBe(true);
        expect(runs()).toBe(0);
        const recorded = await rows();
        expect(recorded.slice(0, 2)).toEqual([
          ["decision", "approval_required", "approval.required", "refunds.approve"],
          ["approval", "deny", "approval.rejected", "refunds.approve"],
        ]);
        expect(recorded.filter(([kind]) => kind === "outcome")).toEqual([]);
        const approval = (await backend.ledger()).find((row) => row.kind === "approval");
        expect(approval?.detail?.by).toBe("ops@example.com");
        const request = await backend.getApproval(String(approval?.detail?.approvalId));
        expect(request?.status).toBe("rejected");
      });
    });

    it("offers a session only the tools it could ever use", async () => {
      const { guard, session } = await world();
      const offered = await harness.offered({
        guard,
        session,
        tools: ["approve_refund", "send_email", "refunds/approve"],
        actions: { approve_refund: "refunds.approve", send_email: "email.send" },
      });
      expect(offered.sort()).toEqual(["approve_refund", "refunds/approve"]);
    });

    it("gives a running tool its allowed call (and its session, where the adapter holds one)", async () => {
      const { call, guard, session } = await world();
      let inside: unknown;
      const seen: unknown[] = [];
      const result = await harness.invoke(
        call(
          { amount: 9 },
          {
            execute: async (_, context) => {
              inside = context;
              const decision = harness.helpers.allowedCall(context);
              seen.push(
                [decision.effect, decision.action, decision.tool, decision.user, decision.agent],
                guard.checkCall(decision).valid,
              );
              if (harness.helpers.session) seen.push(harness.helpers.session(context) === session);
              return "done";
            },
          },
        ),
      );
      expect(result.isError).toBe(false);
      expect(seen).toEqual([
        ["allow", "refunds.approve", TOOL, "alice", "worker"],
        true,
        ...(harness.helpers.session ? [true] : []),
      ]);
      // Once the tool returned, its call is over.
      const after = (() => {
        try {
          return harness.helpers.allowedCall(inside);
        } catch (error) {
          return error;
        }
      })();
      expect(isWritError(after) && after.code).toBe("credential.outside_call");
      const nowhere = (() => {
        try {
          return harness.helpers.allowedCall({});
        } catch (error) {
          return error;
        }
      })();
      expect(isWritError(nowhere) && nowhere.code).toBe("credential.outside_call");
    });
  });
}

/**
 * What the caller saw of a run: its result, or the error the framework
 * propagated to it (LangChain lets a tool's error end the run, as it does
 * without Writ), as an error result.
 */
function told(run: Promise<ConformanceResult>): Promise<ConformanceResult> {
  return run.catch((error: unknown) => ({ text: String(error), isError: true }));
}
