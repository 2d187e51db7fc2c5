/**
 * `pnpm --filter @writ/example-support-refunds budget`: the afternoon shift
 * (src/daily-budget.ts) on an in-memory store, printed as the guard decided it.
 */
import { sqliteBackend } from "@writ/store";
import { PLANNER_DAILY_GRANTS, runDailyBudget } from "./daily-budget.js";

const store = await sqliteBackend({ path: ":memory:" });
try {
  const result = await runDailyBudget(store);
  console.log(`planner's writ: ${PLANNER_DAILY_GRANTS}\n`);
  for (const row of result.decisions) {
    const left =
      row.reason === "budget.exceeded"
        ? ` (budget "${row.detail?.budget}", ${row.detail?.budgetRemaining} left)`
        : "";
    console.log(`${row.decision === "allow" ? "✓" : "✗"} ${row.reason}${left}`);
  }
  for (const usage of result.usage)
    console.log(`\n${usage.budget} on hop ${usage.subject}: ${usage.used} used`);
  console.log(`\nworker: ${result.workerReply}`);
} finally {
  await store.close();
}
