import type { Backend } from "../backend/backend.js";
import type { BudgetCharge } from "../backend/budget-reservation.js";
import type { Clock, RandomSource } from "../clock.js";
import { uuidV7 } from "../encoding/uuid-v7.js";
import { countBudgetCharges, countBudgetRelease } from "../telemetry/count-budget-charges.js";
import type { AllowDecision, Decision } from "./decision.js";
import { type DecisionContext, decisionFor } from "./decision-context.js";

/**
 * Holds an allowed call's budgets before its tool runs (DESIGN §7b): the
 * backend reserves every charge atomically or none, and a call that would
 * exceed one is refused with `budget.exceeded`, naming the budget, whose it
 * is and what is left. A call that fails or never runs gives its hold back.
 */
export class BudgetReserver {
  readonly #backend: Backend;
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #onError: (error: unknown) => void;

  constructor(options: {
    readonly backend: Backend;
    readonly clock: Clock;
    readonly random: RandomSource;
    readonly onError: (error: unknown) => void;
  }) {
    this.#backend = options.backend;
    this.#clock = options.clock;
    this.#random = options.random;
    this.#onError = options.onError;
  }

  async reserve(
    context: DecisionContext,
    decision: AllowDecision,
    charges: readonly BudgetCharge[],
  ): Promise<Decision> {
    if (charges.length === 0) return decision;
    const id = uuidV7(this.#clock, this.#random);
    const result = await this.#backend.reserveBudgets({
      id,
      callId: context.call.callId,
      charges,
    });
    countBudgetCharges(charges, result.reserved ? "reserved" : "exceeded");
    if (result.reserved) return { ...decision, budgetReservation: id };
    const charge = charges[result.charge] as BudgetCharge;
    return decisionFor(context, "deny", "budget.exceeded", {
      ...(charge.hop === undefined ? {} : { hop: charge.hop }),
      ...(decision.approvalId === undefined ? {} : { approvalId: decision.approvalId }),
      budget: {
        budget: charge.budget,
        scope: charge.scope,
        subject: charge.subject,
        remaining: result.remaining,
        resetsAt: result.resetsAt,
      },
    });
  }

  /** Gives a call's hold back; never throws (the call is already over), reporting a failure instead. */
  async release(decision: AllowDecision): Promise<boolean> {
    if (decision.budgetReservation === undefined) return false;
    try {
      await this.#backend.releaseBudgets(decision.budgetReservation);
      countBudgetRelease();
      return true;
    } catch (error) {
      this.#onError(error);
      return false;
    }
  }
}
