import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";

describe("docs/guide-langchain.md", () => {
  it("guards the tool as the guide says: allowed, approved, refused, all recorded", async () => {
    const dir = mkdtempSync(join(tmpdir(), "writ-guide-langchain-"));
    process.env.WRIT_DIR = dir;
    onTestFinished(() => {
      delete process.env.WRIT_DIR;
      rmSync(dir, { recursive: true, force: true });
    });
    await import("./guide/setup.js");
    const { chat, review } = await import("./guide/chat.js");
    const { guard, store } = await import("./guide/writ.js");
    onTestFinished(async () => {
      await guard.close();
      await store.close();
    });

    expect(await chat("alice", "t-1", "Refund order 42: 25 USD.")).toEqual({
      text: "Refunded 25 USD on order 42.",
    });
    const paused = await chat("alice", "t-2", "Refund order 43: 400 USD.");
    expect(paused).toMatchObject({
      waitingFor: { name: "approve_refund", args: { order: "43", amount: 400 } },
      approvalId: expect.any(String),
    });
    expect(await review("t-2", true, "ops@example.com")).toEqual({
      text: "Refunded 400 USD on order 43, with approval.",
    });
    expect(await chat("alice", "t-3", "Refund order 44: 5000 USD.")).toEqual({
      text: "I can't refund 5000 USD: that is beyond what I may approve.",
    });

    const { records } = await store.queryLedger({ limit: 100 });
    const calls = records
      .filter((row) => ["decision", "approval", "outcome"].includes(row.kind))
      .map((row) =>
        `${row.callId} ${row.kind} ${row.decision ?? row.outcome} ${row.reason ?? ""}`.trim(),
      );
    expect(calls).toEqual([
      "call-1 decision allow granted",
      "call-1 outcome ok",
      "call-2 decision approval_required approval.required",
      "call-2 approval allow approval.granted",
      "call-2 decision allow approval.granted",
      "call-2 outcome ok",
      "call-3 decision deny grant.condition_failed",
    ]);
    expect((await store.verifyLedger()).ok).toBe(true);
  });
});
