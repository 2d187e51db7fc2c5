import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LedgerRecord, parseGrantText } from "@writ/core";
import type { WritApprovalRequest } from "@writ/langchain";
import { sqliteBackend } from "@writ/store";
import { describe, expect, it, onTestFinished } from "vitest";
import { ConsoleNarrator, colorsFor } from "../src/console-narrator.js";
import { PLANNER, USER, WORKER, WORKER_GRANTS } from "../src/directory.js";
import { scriptedModels } from "../src/models.js";
import { type Reviewer, runSupportRefunds } from "../src/support-refunds.js";

/** A call's rows in a form to compare: kind, effect or outcome, reason, order. */
function story(rows: readonly LedgerRecord[], orderOf: (row: LedgerRecord) => string) {
  return rows
    .filter((row) => ["decision", "approval", "outcome", "revocation"].includes(row.kind))
    .map((row) =>
      [row.kind, row.decision ?? row.outcome ?? row.detail?.target, row.reason, orderOf(row)]
        .filter(Boolean)
        .join(" "),
    );
}

async function openStore() {
  const store = await sqliteBackend({ path: ":memory:" });
  onTestFinished(() => store.close());
  return store;
}

describe("support-refunds", () => {
  it("delegates refunds under $50, asks a human above, denies $500 and refuses the worker once revoked", async () => {
    const store = await openStore();
    const asked: WritApprovalRequest[] = [];
    const reviewer: Reviewer = async (request) => {
      asked.push(request);
      return { type: "approve", by: "dana@ops" };
    };
    const result = await runSupportRefunds({ store, models: scriptedModels(), reviewer });

    // Only the refunds the writ allowed, and the approved one, reached payments.
    expect(result.refunds.map((r) => [r.order, r.amount, r.currency])).toEqual([
      ["A-1001", 20, "USD"],
      ["A-1002", 120, "USD"],
      ["A-1004", 45, "EUR"],
    ]);

    // The worker holds a two-hop writ: Alice's root for the planner, then the narrower worker hop.
    const worker = result.workerSession;
    expect(worker?.writ.hops.map((hop) => hop.claims.aud)).toEqual([PLANNER, WORKER]);
    expect(worker?.writ.leaf.claims.grants).toEqual(parseGrantText(WORKER_GRANTS));
    expect(worker?.writ.leaf.claims.dmax).toBe(0);

    // One human review, for exactly the $120 refund, bound to the worker's chain.
    expect(asked).toHaveLength(1);
    expect(asked[0]?.actionRequests[0]?.args).toEqual({
      order: "A-1002",
      amount: 120,
      currency: "USD",
    });
    expect(asked[0]?.writ).toMatchObject({
      action: "refunds.approve",
      user: USER,
      agent: WORKER,
      chain: [PLANNER, WORKER],
    });

    // The ledger tells the whole story, in order.
    const orders = new Map(
      [...result.rows]
        .filter((row) => row.callId !== null)
        .map((row) => [row.callId, /call_(A-\d+)_/.exec(row.callId ?? "")?.[1] ?? row.tool]),
    );
    const orderOf = (row: LedgerRecord) => (row.callId ? (orders.get(row.callId) ?? "") : "");
    expect(story(result.rows, orderOf)).toEqual([
      "decision allow granted list_refund_requests",
      "outcome ok list_refund_requests",
      "decision allow granted assign_refund_worker",
      "outcome ok assign_refund_worker",
      "decision allow granted A-1001",
      "outcome ok A-1001",
      "decision approval_required approval.required A-1002",
      "approval allow approval.granted A-1002",
      "decision allow approval.granted A-1002",
      "outcome ok A-1002",
      "decision deny grant.condition_failed A-1003",
      "decision allow granted A-1004",
      "revocation hop",
      "outcome ok A-1004",
      "decision deny revoked.hop A-1005",
    ]);
    const byReason = (reason: string) => result.rows.find((row) => row.reason === reason);
    expect(byReason("grant.condition_failed")?.detail).toMatchObject({
      hop: 1,
      decidedBy: WORKER,
      path: "amount",
    });
    expect(byReason("approval.granted")?.detail).toMatchObject({ by: "dana@ops" });
    expect(result.rows.find((row) => row.kind === "revocation")?.detail).toMatchObject({
      target: "hop",
      id: worker?.writ.leaf.claims.jti,
      reason: "velocity alert: 3 refunds to C-1042 within 10 minutes",
    });
    expect(byReason("revoked.hop")?.chain?.agents).toEqual([PLANNER, WORKER]);

    // The worker's branch is revoked, the planner's root is not.
    expect(result.tree).toMatchObject({
      toAgent: PLANNER,
      revoked: false,
      children: [{ toAgent: WORKER, revoked: true, children: [] }],
    });
    expect(result.verification).toMatchObject({ ok: true, chains: 1 });
    expect(result.verification.rows).toBeGreaterThanOrEqual(result.rows.length);
    expect(result.workerReply).toContain("revoked");
  });

  it("keeps a rejected refund from running, and records who rejected it", async () => {
    const store = await openStore();
    const reviewer: Reviewer = async () => ({
      type: "reject",
      by: "dana@ops",
      message: "Late delivery refunds go through the carrier.",
    });
    const result = await runSupportRefunds({ store, models: scriptedModels(), reviewer });

    // With A-1002 rejected, A-1005 is C-1042's third refund: it runs, and then the alert fires.
    expect(result.refunds.map((r) => r.order)).toEqual(["A-1001", "A-1004", "A-1005"]);
    const rejection = result.rows.find((row) => row.kind === "approval");
    expect([rejection?.decision, rejection?.reason, rejection?.detail?.by]).toEqual([
      "deny",
      "approval.rejected",
      "dana@ops",
    ]);
    const denied = result.rows.filter((row) => row.kind === "decision" && row.decision === "deny");
    expect(denied.map((row) => row.reason)).toEqual(["grant.condition_failed"]);
    expect(result.rows.at(-2)?.kind).toBe("revocation");
    expect(result.tree?.children[0]?.revoked).toBe(true);
    expect(result.verification.ok).toBe(true);
  });

  it("runs twice on one store file, as `pnpm demo` does, and tells the story on a terminal", async () => {
    const dir = mkdtempSync(join(tmpdir(), "writ-support-refunds-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const reviewer: Reviewer = async () => ({ type: "approve", by: "dana@ops" });
    const lines: string[] = [];
    for (let run = 1; run <= 2; run += 1) {
      const store = await sqliteBackend({ path: join(dir, "writ.db") });
      lines.length = 0;
      const narrator = new ConsoleNarrator(
        (line) => lines.push(line),
        colorsFor(process.stdout, { NO_COLOR: "1" }),
      );
      try {
        const result = await runSupportRefunds({
          store,
          models: scriptedModels(),
          reviewer,
          narrator,
        });
        expect(result.refunds.map((r) => r.order)).toEqual(["A-1001", "A-1002", "A-1004"]);
        // Each run opens the store as a new writer: one more chain, all of them verified.
        expect(result.verification).toMatchObject({ ok: true, chains: run });
      } finally {
        await store.close();
      }
    }
    const text = lines.join("\n");
    expect(text).toContain("└─ refund-worker  hop 1, expires in 10 min, may not delegate");
    expect(text).toMatch(/✓ allow +approve_refund +A-1001 20 USD +granted/);
    expect(text).toMatch(/⏸ approval +approve_refund +A-1002 120 USD +approval.required/);
    expect(text).toMatch(/✓ approved +approve_refund +A-1002 120 USD +by dana@ops/);
    expect(text).toMatch(
      /✗ deny +approve_refund +A-1003 500 USD +grant.condition_failed: "amount" is outside hop 1 \(refund-worker's writ\)/,
    );
    expect(text).toMatch(/⊘ revoked +hop 1: refund-worker's writ +velocity alert/);
    expect(text).toMatch(/✗ deny +approve_refund +A-1005 30 USD +revoked.hop/);
    expect(text).toMatch(/└─ refund-worker {2}hop .{8}… +revoked/);
    expect(text).toMatch(/✓ Ledger verified: \d+ rows in 2 chains/);
    // No colour codes when colour is off.
    expect(text).not.toContain("\u001b[");
  });
});
