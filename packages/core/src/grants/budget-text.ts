import type { Budget } from "./grant.js";

/** A budget in the text form: `count <= 20 per 1h`, `sum(amount) <= 500 per 1d`. */
export function formatBudget(budget: Budget): string {
  const measure = budget.measure === "sum" ? `sum(${budget.path})` : "count";
  return `${measure} <= ${budget.max} per ${budget.per}`;
}
