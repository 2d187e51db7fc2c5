import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";

describe("docs/guide-ai-sdk.md", () => {
  it("guards the tools as the guide says: allowed, approved, refused, all recorded", async () => {
    const dir = mkdtempSync(join(tmpdir(), "writ-guide-ai-sdk-"));
    process.env.WRIT_DIR = dir;
    onTestFinished(() => {
      delete process.env.WRIT_DIR;
      rmSync(dir, { recursive: true, force: true });
    });
    await import("./guide/setup.js");
    const { chat, review } = await import("./guide/chat.js");
    const { outbox } = await import("./guide/tools.js");
    const { guard, store } = await import("./guide/writ.js");
    onTestFinished(async () => {
      await guard.close();
      await store.close();
    });

    // A CRM contact: sent at once.
    expect(await chat("sam", "t-1", "Send Dana the notes.")).toEqual({
      text: "Sent Dana the notes.",
    });
    // Not a contact: the SDK stops for approval; Sam approves; it is sent.
    expect(await chat("sam", "t-2", "Introduce us to Lee at Globex.")).toMatchObject({
      waitingFor: "send_email",
      input: { to: "lee@globex.example" },
    });
    expect(outbox.map((email) => email.to)).toEqual(["dana@acme.example"]);
    expect(await review("t-2", "sam", true)).toEqual({ text: "Sent Lee the introduction." });
    // Outside mail-bot's policy: refused, whatever Sam may do himself.
    expect(await chat("sam", "t-3", "Delete message m-17.")).toEqual({
      text: "I am not allowed to delete email.",
    });
    // Sam says no: nothing is sent, and the rejection is recorded.
    expect(await chat("sam", "t-4", "Send Kim at Initech our offer.")).toMatchObject({
      waitingFor: "send_email",
    });
    expect(await review("t-4", "sam", false, "Not before the contract is signed.")).toEqual({
      text: "I did not send Kim the offer.",
    });
    expect(outbox.map((email) => email.to)).toEqual(["dana@acme.example", "lee@globex.example"]);

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
      "call-3 decision deny grant.action_not_granted",
      "call-4 decision approval_required approval.required",
      "call-4 approval deny approval.rejected",
    ]);
    const approvals = records.filter((row) => row.kind === "approval");
    expect(approvals.map((row) => row.detail)).toMatchObject([
      { by: "sam" },
      { by: "sam", reason: "Not before the contract is signed." },
    ]);
    const rejected = String(approvals[1]?.detail?.approvalId);
    expect((await store.getApproval(rejected))?.status).toBe("rejected");
    expect((await store.verifyLedger()).ok).toBe(true);
  });
});
