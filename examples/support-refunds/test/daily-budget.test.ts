import { sqliteBackend } from "@writ/store";
import { describe, expect, it, onTestFinished } from "vitest";
import { AFTERNOON_QUEUE, runDailyBudget } from "../src/daily-budget.js";

describe("support-refunds: the chain's daily budget", () => {
  it("stops a worker that stays within its per-call limit once the planner's daily budget is spent", async () => {
    const store = await sqliteBackend({ path: ":memory:" });
    onTestFinished(() => store.close());
    const result = await runDailyBudget(store);

    // Every request is under the worker's $50; together they are over the planner's $100.
    expect(AFTERNOON_QUEUE.every((request) => request.amount < 50)).toBe(true);
    expect(result.refunds.map((refund) => [refund.order, refund.amount])).toEqual([
      ["B-2001", 40],
      ["B-2002", 40],
      ["B-2004", 15],
    ]);
    expect(result.decisions.map((row) => row.reason)).toEqual([
      "granted",
      "granted",
      "budget.exceeded",
      "granted",
    ]);
    // The refusal names the budget, the hop that carries it (the planner's, hop 0) and what was left.
    expect(result.decisions[2]?.detail).toMatchObject({
      hop: 0,
      decidedBy: "support-planner",
      budget: "sum(amount) <= 100 per 1d",
      budgetScope: "hop",
      budgetRemaining: 20,
    });
    expect(result.usage).toMatchObject([
      { scope: "hop", budget: "sum(amount) <= 100 per 1d", used: 95, max: 100 },
    ]);
  });
});
