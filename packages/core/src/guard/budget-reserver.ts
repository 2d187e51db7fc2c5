import type { Backend } from "../backend/backend.js";
import type {
  BudgetCharge,
  BudgetReservationRequest,
  BudgetReservationResult,
} from "../backend/budget-reservation.js";
import type { Clock, RandomSource } from "../clock.js";
import { uuidV7 } from "../encoding/uuid-v7.js";
import { countBudgetCharges, countBudgetRelease } from "../telemetry/count-budget-charges.js";
import type { AllowDecision, Decision } from "./decision.js";
import { type DecisionContext, decisionFor, denialFor } from "./decision-context.js";
import { failClosed } from "./fail-closed.js";
import type { GuardLedger } from "./guard-ledger.js";

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

  /**
   * Reserves an allowed call's budgets and records the decision that follows
   * (the allow holding the reservation, or a `budget.exceeded` deny): in one
   * commit where the backend offers reserveAndAppend, else one after the
   * other. An allow that is not recorded gives its hold back.
   */
  async reserveAndRecord(
    context: DecisionContext,
    decision: AllowDecision,
    charges: readonly BudgetCharge[],
    ledger: GuardLedger,
  ): Promise<Decision> {
    const request = {
      id: uuidV7(this.#clock, this.#random),
      callId: context.call.callId,
      charges,
    };
    let reserved: Decision | undefined;
    const decide = (result: BudgetReservationResult) => {
      reserved = this.#decided(context, decision, request.id, charges, result);
      return reserved;
    };
    const reserveAndAppend = this.#backend.reserveAndAppend?.bind(this.#backend);
    const recorded =
      reserveAndAppend === undefined
        ? await this.#reserveThenRecord(context, request, decide, ledger)
        : await ledger.recordDecided(context, decision, async (toAppend) => {
            const { record } = await reserveAndAppend(request, (result) =>
              toAppend(decide(result)),
            );
            return { decision: reserved ?? decision, record };
          });
    if (reserved !== undefined)
      countBudgetCharges(charges, reserved.effect === "allow" ? "reserved" : "exceeded");
    if (reserved?.effect === "allow" && recorded.effect !== "allow") await this.release(reserved);
    return recorded;
  }

  async #reserveThenRecord(
    context: DecisionContext,
    request: BudgetReservationRequest,
    decide: (result: BudgetReservationResult) => Decision,
    ledger: GuardLedger,
  ): Promise<Decision> {
    let settled: Decision;
    try {
      settled = decide(await this.#backend.reserveBudgets(request));
    } catch (error) {
      // Fail closed: a call whose budgets could not be reserved does not run.
      const failure = failClosed(error);
      settled = denialFor(context, failure.code, failure.details);
    }
    return ledger.recordDecision(context, settled);
  }

  /** The allow holding reservation `id`, or the refusal naming the budget the call would exceed. */
  #decided(
    context: DecisionContext,
    decision: AllowDecision,
    id: string,
    charges: readonly BudgetCharge[],
    result: BudgetReservationResult,
  ): Decision {
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
      await this.#backend.releaseBudgets(decision.budgetReservation, decision.callId);
      countBudgetRelease();
      return true;
    } catch (error) {
      this.#onError(error);
      return false;
    }
  }
}
