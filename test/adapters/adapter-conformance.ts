/**
 * One conformance suite for every adapter (DESIGN §10): whatever the framework,
 * a guarded tool call must behave the same. An adapter's tests call
 * `describeAdapterConformance()` with a harness that runs one tool call through
 * its framework (a scripted fake model, an MCP client …) and reports what the
 * caller saw.
 */
import type { Guard, Session } from "@writ/core";
import { createTestWorld, MemoryBackend, type TestBackend } from "@writ/core/testing";
import { describe, expect, it } from "vitest";

/** One tool call to run through the framework. */
export interface ConformanceCall {
  readonly guard: Guard;
  readonly session: Session;
  /** The tool's name in the framework. */
  readonly tool: string;
  /** The Writ action the adapter must map the tool to (via its actions option). */
  readonly action: string;
  /** The arguments the (fake) model sends, before the framework parses them. */
  readonly args: Record<string, unknown>;
  /** The tool's implementation; the harness registers it as the tool's body. */
  readonly execute: (args: Record<string, unknown>) => Promise<string>;
}

/** What the caller (the model, or the MCP client) got back. */
export interface ConformanceResult {
  /** The text the caller received as the tool result or refusal. */
  readonly text: string;
  /** Whether the framework marked it as an error (error ToolMessage, isError …). */
  readonly isError: boolean;
}

export interface AdapterHarness {
  /** The adapter name the guard records in the ledger (`Call.adapter`). */
  readonly adapter: string;
  invoke(call: ConformanceCall): Promise<ConformanceResult>;
}

export function describeAdapterConformance(
  harness: AdapterHarness,
  makeBackend: () => Promise<TestBackend> | TestBackend = () => new MemoryBackend(),
): void {
  async function world() {
    const { backend, guard, agents, session } = await createTestWorld({
      backend: await makeBackend(),
      issuer: "writ:conformance",
      audience: `urn:writ:conformance:${harness.adapter}`,
      user: { id: "alice", permissions: "refunds.approve(amount < 10000); email.send" },
      agents: { planner: "refunds.approve; email.send", worker: "refunds.approve" },
    });
    const delegated = session("planner").delegate(agents.worker, {
      grants: "refunds.approve(amount < 50)",
    });
    let runs = 0;
    const call = (args: Record<string, unknown>, action = "refunds.approve"): ConformanceCall => ({
      guard,
      session: delegated,
      tool: "approve_refund",
      action,
      args,
      execute: async (parsed) => {
        runs++;
        return `refunded ${String(parsed.amount)}`;
      },
    });
    return { backend, guard, session: delegated, call, runs: () => runs };
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
        ["decision", "allow", harness.adapter, "approve_refund", "refunds.approve"],
        ["outcome", "ok", harness.adapter, "approve_refund", "refunds.approve"],
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

    it("maps the tool to its action, refusing actions the writ does not hold", async () => {
      const { call, runs } = await world();
      const result = await harness.invoke(call({ amount: 1 }, "email.send"));
      expect(result.isError).toBe(true);
      expect(result.text).toContain("email.send");
      expect(runs()).toBe(0);
    });

    it("enforces a revocation on the next call", async () => {
      const { call, runs, backend, session } = await world();
      expect((await harness.invoke(call({ amount: 1 }))).isError).toBe(false);
      await backend.revoke("hop", session.writ.leaf.claims.jti);
      const result = await harness.invoke(call({ amount: 1 }));
      expect(result).toEqual({ text: expect.stringContaining("revoked"), isError: true });
      expect(runs()).toBe(1);
    });
  });
}
