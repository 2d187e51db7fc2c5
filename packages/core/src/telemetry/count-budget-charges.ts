import type { BudgetCharge } from "../backend/budget-reservation.js";
import { openTelemetry } from "./open-telemetry.js";
import { WRIT_ATTRIBUTES as A } from "./writ-attributes.js";
import { writInstruments } from "./writ-metrics.js";

/**
 * Counts a call's charges against budgets (`writ.budget.charges`), each by
 * its budget's text and scope: reserved, or exceeded (the call refused). The
 * amounts are never recorded: a summed budget's amount is an argument value.
 */
export function countBudgetCharges(
  charges: readonly BudgetCharge[],
  result: "reserved" | "exceeded",
): void {
  const api = openTelemetry;
  if (api === undefined) return;
  const counter = writInstruments(api).budgetCharges;
  for (const charge of charges) {
    counter.add(1, {
      [A.budget]: charge.budget,
      [A.budgetScope]: charge.scope,
      [A.budgetResult]: result,
    });
  }
}

/** Counts a reservation given back (`writ.budget.charges`, result `released`). */
export function countBudgetRelease(): void {
  const api = openTelemetry;
  if (api === undefined) return;
  writInstruments(api).budgetCharges.add(1, { [A.budgetResult]: "released" });
}
