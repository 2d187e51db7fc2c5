/** Whose use a budget counts (DESIGN §7b). */
export type BudgetScope =
  /** A hop's grant: every call under that hop, by its holder and by everyone it delegated to. */
  | "hop"
  /** A user's permission or role: every call any agent makes for that user. */
  | "user"
  /** An agent's policy: that agent's calls (and its delegates') for all users. */
  | "agent";

/** One budget a call is charged against. */
export interface BudgetCharge {
  /**
   * The counter: scope, subject, the grant's action, the measure and the
   * window, never the maximum, so a changed maximum applies to what the
   * current window already holds.
   */
  readonly key: string;
  readonly scope: BudgetScope;
  /** The hop jti, user id or agent id the budget belongs to. */
  readonly subject: string;
  /** The budget in the text form, e.g. `sum(amount) <= 500 per 1d`. */
  readonly budget: string;
  /** The most the window may hold, as the budget says now. */
  readonly max: number;
  /** The window's length in ms. Windows are fixed: [k·windowMs, (k+1)·windowMs) on the store's clock. */
  readonly windowMs: number;
  /** What this call adds: 1 for a count, the summed argument for a sum. */
  readonly amount: number;
  /** The hop (0 = root) whose grant carries a hop budget, or whose agent's policy carries an agent budget. */
  readonly hop?: number;
}

export interface BudgetReservationRequest {
  /** Names the reservation, to release it. */
  readonly id: string;
  readonly callId: string;
  readonly charges: readonly BudgetCharge[];
}

/** The answer to a reservation: all charges held, or none and the first that did not fit. */
export type BudgetReservationResult =
  | { readonly reserved: true }
  | {
      readonly reserved: false;
      /** Index in the request's charges of the budget the call would exceed. */
      readonly charge: number;
      /** What the window has left of that budget (never negative). */
      readonly remaining: number;
      /** Epoch ms at which that window ends. */
      readonly resetsAt: number;
    };

/** A budget's counter in one window, for `writ budgets show` and the console. */
export interface BudgetUsage {
  readonly key: string;
  readonly scope: BudgetScope;
  readonly subject: string;
  readonly budget: string;
  readonly max: number;
  readonly used: number;
  /** Epoch ms: the window [windowStart, resetsAt). */
  readonly windowStart: number;
  readonly resetsAt: number;
}

/** The fixed window holding `now`: aligned to the epoch, so every store and guard agrees on it. */
export function budgetWindowStart(now: number, windowMs: number): number {
  return Math.floor(now / windowMs) * windowMs;
}
