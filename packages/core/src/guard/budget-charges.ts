import type { BudgetCharge, BudgetScope } from "../backend/budget-reservation.js";
import { WritError } from "../errors.js";
import { readArgumentPath } from "../grants/argument-path.js";
import { formatBudget } from "../grants/budget-text.js";
import { budgetWindowSeconds } from "../grants/budget-window.js";
import type { Budget, Grant } from "../grants/grant.js";
import { isExactNumber } from "../grants/validate-grants.js";
import type { VerifiedWrit } from "../writ/verify-writ.js";
import type { LayerPermit } from "./evaluate-authority.js";

interface PreparedBudget {
  readonly text: string;
  /** Names the counter without the maximum: `sum(amount) per 1d`. */
  readonly measure: string;
  readonly windowMs: number;
  readonly segments: readonly string[] | undefined;
}

/** Budgets are parsed once per grant object (hops and live states are immutable and cached). */
const prepared = new WeakMap<Budget, PreparedBudget>();

function prepare(budget: Budget): PreparedBudget {
  let ready = prepared.get(budget);
  if (!ready) {
    const text = formatBudget(budget);
    ready = {
      text,
      measure: text.replace(/ <= \S+/, ""),
      windowMs: (budgetWindowSeconds(budget.per) ?? 0) * 1000,
      segments: budget.path?.split("."),
    };
    prepared.set(budget, ready);
  }
  return ready;
}

const SCOPES: Readonly<Record<LayerPermit["layer"]["source"], BudgetScope>> = {
  hop: "hop",
  permissions: "user",
  policy: "agent",
};

/**
 * The budgets a call is charged against: those of the grant that permits it
 * in every layer (each hop, the user's current permissions, every chain
 * agent's current policy). A counter charged twice (one agent at two hops)
 * is charged once. A summed argument that is not a finite number ≥ 0 is
 * refused: a negative amount would give budget back.
 */
export function budgetCharges(
  permits: readonly LayerPermit[],
  writ: VerifiedWrit,
  args: unknown,
): BudgetCharge[] {
  const charges = new Map<string, BudgetCharge>();
  for (const { layer, grant: index } of permits) {
    const grant = layer.grants.grants[index] as Grant;
    if (grant.budgets === undefined) continue;
    const scope = SCOPES[layer.source];
    const subject =
      scope === "hop"
        ? (writ.jtis[layer.hop ?? 0] as string)
        : scope === "user"
          ? writ.user
          : (layer.agent as string);
    for (const budget of grant.budgets) {
      const { text, measure, windowMs, segments } = prepare(budget);
      const key = `${scope}:${subject} ${grant.action} ${measure}`;
      if (charges.has(key)) continue;
      const amount = segments === undefined ? 1 : readArgumentPath(args, segments);
      if (!isExactNumber(amount) || amount < 0) {
        throw new WritError(
          "budget.amount_invalid",
          `The budget "${text}" sums "${budget.path}", which this call does not give as a finite number of 0 or more.`,
          {
            ...(layer.hop === undefined ? {} : { hop: layer.hop }),
            ...(layer.agent === undefined ? {} : { agent: layer.agent }),
            ...(budget.path === undefined ? {} : { path: budget.path }),
          },
        );
      }
      charges.set(key, {
        key,
        scope,
        subject,
        budget: text,
        max: budget.max,
        windowMs,
        amount,
        ...(layer.hop === undefined ? {} : { hop: layer.hop }),
      });
    }
  }
  return [...charges.values()];
}
