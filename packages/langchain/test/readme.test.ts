import { expect, it } from "vitest";

it("runs the README's quick start as written", async () => {
  const { result } = await import("./quick-start/quick-start.js");
  const { backend } = await import("./quick-start/setup.js");
  expect(result.messages.map((message) => message.text)).toEqual([
    "Refund order 42: 25 USD.",
    "Refund order 42: 25 USD.",
    "refunded 25 USD on order 42",
    "Refunded 25 USD for order 42.",
  ]);
  const rows = (await backend.ledger()).filter(
    (row) => row.kind === "decision" || row.kind === "outcome",
  );
  expect(rows.map((row) => [row.kind, row.decision ?? row.outcome, row.action, row.user])).toEqual([
    ["decision", "allow", "refunds.approve", "alice"],
    ["outcome", "ok", "refunds.approve", "alice"],
  ]);
});
