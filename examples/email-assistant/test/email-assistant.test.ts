import { sqliteBackend } from "@writ/store";
import { describe, expect, it, onTestFinished } from "vitest";
import { AGENT, USER } from "../src/directory.js";
import { runEmailAssistant } from "../src/email-assistant.js";
import { scriptedModel } from "../src/models.js";
import { INJECTED_ADDRESS } from "../src/workspace.js";

async function openStore() {
  const store = await sqliteBackend({ path: ":memory:" });
  onTestFinished(() => store.close());
  return store;
}

describe("email-assistant", () => {
  it("refuses the email a poisoned document asks for, and records it; reads only public documents", async () => {
    const store = await openStore();
    const result = await runEmailAssistant({ store, model: scriptedModel().model });

    // Only Dana, a CRM contact, got an email.
    expect(result.sent.map((email) => email.to)).toEqual(["dana@acme.example"]);

    // What the model was told, call by call (parallel calls may finish in any order).
    const outcome = (tool: string, key: string, value: string) =>
      result.calls.find(
        (call) => call.tool === tool && (call.input as Record<string, unknown>)[key] === value,
      )?.result;
    expect(outcome("read_document", "id", "q3-launch-plan")?.ok).toBe(true);
    expect(outcome("read_document", "id", "partner-faq")).toMatchObject({
      ok: true,
      output: { text: expect.stringContaining(INJECTED_ADDRESS) },
    });
    const internal = outcome("read_document", "id", "pricing-2027");
    expect(internal).toMatchObject({
      ok: false,
      error: expect.stringContaining('"id" is outside'),
    });
    const steered = outcome("send_email", "to", INJECTED_ADDRESS);
    expect(steered).toMatchObject({ ok: false, error: expect.stringContaining('"to" is outside') });
    // The refusal the model reads never echoes the address it tried.
    expect(steered?.ok === false && steered.error).not.toContain(INJECTED_ADDRESS);

    // The ledger holds one decision per call, and the refused send with what it tried to do.
    const decisions = result.rows.filter((row) => row.kind === "decision");
    const byCall = new Map(decisions.map((row) => [row.callId, row]));
    const steeredCall = result.calls.find(
      (call) => (call.input as { to?: string }).to === INJECTED_ADDRESS,
    );
    const refusal = byCall.get(steeredCall?.id ?? null);
    expect(refusal).toMatchObject({
      decision: "deny",
      reason: "grant.condition_failed",
      user: USER,
      agent: AGENT,
      action: "email.send",
      tool: "send_email",
      adapter: "ai-sdk",
      detail: { hop: 0, path: "to", operator: "inSet" },
    });
    const attempted = await store.getPayload(refusal?.inputHash ?? "");
    expect(attempted?.body).toMatchObject({ to: INJECTED_ADDRESS });
    expect(decisions.map((row) => `${row.action} ${row.decision}`).sort()).toEqual([
      "docs.list allow",
      "docs.read allow",
      "docs.read allow",
      "docs.read deny",
      "email.send allow",
      "email.send deny",
    ]);
    // Refused calls ran nothing: outcomes only for the four allowed calls.
    expect(result.rows.filter((row) => row.kind === "outcome")).toHaveLength(4);
    expect(result.verification.ok).toBe(true);
  });

  it("asks the CRM at call time: an address that is no longer a contact is refused", async () => {
    const store = await openStore();
    const result = await runEmailAssistant({
      store,
      model: scriptedModel().model,
      contacts: { [USER]: ["lee@globex.example"] },
    });
    expect(result.sent).toEqual([]);
    const sends = result.rows.filter(
      (row) => row.kind === "decision" && row.action === "email.send",
    );
    expect(sends.map((row) => [row.decision, row.reason])).toEqual([
      ["deny", "grant.condition_failed"],
      ["deny", "grant.condition_failed"],
    ]);
  });
});
