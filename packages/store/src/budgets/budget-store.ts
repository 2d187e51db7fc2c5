import type {
  BudgetCharge,
  BudgetReservationRequest,
  BudgetReservationResult,
  BudgetScope,
  BudgetUsage,
} from "@writ/core/backend";
import { budgetWindowStart } from "@writ/core/backend";
import { integer, optionalReal, text } from "../sql/row-values.js";
import type { SqlTransaction } from "../sql/sql-driver.js";
import type { StoreContext } from "../store-context.js";

const NOT_DURABLE = { durable: false } as const;

const COUNTER_COLUMNS =
  "budget_key, window_start, window_ms, scope, subject, budget, max, used, updated_at";

/**
 * Budget counters and reservations (DESIGN §7b), in the database: a call's
 * charges are held in one transaction (on SQLite, the one that commits its
 * decision row), each by a single conditional upsert
 * that adds the amount only while the window stays within its maximum, so
 * reservations from any number of processes or instances never take a
 * budget over. Charges are taken in key order, so two reservations sharing
 * counters lock them in the same order and never deadlock (Postgres).
 */
export class BudgetStore {
  readonly #ctx: StoreContext;
  readonly #charge: string;
  readonly #hold: string;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
    const counters = ctx.tables.budgetCounters;
    this.#charge = `INSERT INTO ${counters} (${COUNTER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (budget_key, window_start) DO UPDATE SET
        used = ${counters}.used + excluded.used, max = excluded.max, budget = excluded.budget,
        updated_at = excluded.updated_at
      WHERE ${counters}.used + excluded.used <= excluded.max`;
    this.#hold = `INSERT INTO ${ctx.tables.budgetReservations} (id, budget_key, window_start, amount, call_id, reserved_at)`;
  }

  /** Reserves in a transaction of its own, which need not be durable: the decision row that follows carries it to the disk. */
  reserve(request: BudgetReservationRequest): Promise<BudgetReservationResult> {
    return this.#ctx.driver.transaction((tx) => this.reserveIn(tx, request), NOT_DURABLE);
  }

  /**
   * Holds every charge of `request` inside the caller's transaction, or none:
   * a charge that does not fit gives back the ones already held in it, so
   * the transaction can go on (and commit other writes) either way.
   */
  async reserveIn(
    tx: SqlTransaction,
    request: BudgetReservationRequest,
  ): Promise<BudgetReservationResult> {
    const now = this.#ctx.clock();
    const ordered = request.charges
      .map((charge, index) => ({
        charge,
        index,
        windowStart: budgetWindowStart(now, charge.windowMs),
      }))
      .sort((a, b) => (a.charge.key < b.charge.key ? -1 : a.charge.key > b.charge.key ? 1 : 0));
    // An amount above the maximum never fits, whatever the window holds: refused without a write.
    for (const { charge, index, windowStart } of ordered) {
      if (charge.amount > charge.max)
        return exceeded(index, charge, windowStart, await this.#used(tx, charge.key, windowStart));
    }
    for (const [held, { charge, index, windowStart }] of ordered.entries()) {
      const fits = await tx.run(this.#charge, [
        charge.key,
        windowStart,
        charge.windowMs,
        charge.scope,
        charge.subject,
        charge.budget,
        charge.max,
        charge.amount,
        now,
      ]);
      // The upsert changes no row when the window would go over its maximum.
      if (fits === 0) {
        const used = await this.#used(tx, charge.key, windowStart);
        for (const taken of ordered.slice(0, held))
          await this.#giveBack(tx, taken.charge.key, taken.windowStart, taken.charge.amount);
        return exceeded(index, charge, windowStart, used);
      }
    }
    await tx.insertMany(
      this.#hold,
      ordered.map(({ charge, windowStart }) => [
        request.id,
        charge.key,
        windowStart,
        charge.amount,
        request.callId,
        now,
      ]),
    );
    return { reserved: true };
  }

  /** Gives a reservation's holds back, once: a second release finds nothing left to release. */
  release(id: string): Promise<void> {
    const { tables, driver } = this.#ctx;
    return driver.transaction(async (tx) => {
      const holds = await tx.all(
        `UPDATE ${tables.budgetReservations} SET released_at = ? WHERE id = ? AND released_at IS NULL RETURNING budget_key, window_start, amount`,
        [this.#ctx.clock(), id],
      );
      const ordered = holds
        .map((row) => ({
          key: text(row, "budget_key"),
          windowStart: integer(row, "window_start"),
          amount: optionalReal(row, "amount") ?? 0,
        }))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      for (const { key, windowStart, amount } of ordered)
        await this.#giveBack(tx, key, windowStart, amount);
    });
  }

  #giveBack(tx: SqlTransaction, key: string, windowStart: number, amount: number): Promise<number> {
    return tx.run(
      `UPDATE ${this.#ctx.tables.budgetCounters} SET used = CASE WHEN used > ? THEN used - ? ELSE 0 END WHERE budget_key = ? AND window_start = ?`,
      [amount, amount, key, windowStart],
    );
  }

  /** The counters of the windows open now, of one hop, user or agent (`subject`) or of all. */
  async usage(
    query: { readonly scope?: BudgetScope; readonly subject?: string } = {},
  ): Promise<BudgetUsage[]> {
    const now = this.#ctx.clock();
    const where = ["window_start + window_ms > ?"];
    const params: (string | number)[] = [now];
    if (query.subject !== undefined) {
      where.push("subject = ?");
      params.push(query.subject);
    }
    if (query.scope !== undefined) {
      where.push("scope = ?");
      params.push(query.scope);
    }
    const rows = await this.#ctx.driver.all(
      `SELECT ${COUNTER_COLUMNS} FROM ${this.#ctx.tables.budgetCounters} WHERE ${where.join(" AND ")} ORDER BY subject, budget_key, window_start`,
      params,
    );
    return rows.map((row) => {
      const windowStart = integer(row, "window_start");
      return {
        key: text(row, "budget_key"),
        scope: text(row, "scope") as BudgetScope,
        subject: text(row, "subject"),
        budget: text(row, "budget"),
        max: optionalReal(row, "max") ?? 0,
        used: optionalReal(row, "used") ?? 0,
        windowStart,
        resetsAt: windowStart + integer(row, "window_ms"),
      };
    });
  }

  async #used(tx: SqlTransaction, key: string, windowStart: number): Promise<number> {
    const [row] = await tx.all(
      `SELECT used FROM ${this.#ctx.tables.budgetCounters} WHERE budget_key = ? AND window_start = ?`,
      [key, windowStart],
    );
    return row ? (optionalReal(row, "used") ?? 0) : 0;
  }
}

function exceeded(
  index: number,
  charge: BudgetCharge,
  windowStart: number,
  used: number,
): BudgetReservationResult {
  return {
    reserved: false,
    charge: index,
    remaining: Math.max(0, charge.max - used),
    resetsAt: windowStart + charge.windowMs,
  };
}
