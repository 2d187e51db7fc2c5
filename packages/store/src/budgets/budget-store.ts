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

/** Thrown inside the transaction so that the charges already held roll back with it. */
class BudgetExceeded {
  constructor(readonly result: BudgetReservationResult) {}
}

const NOT_DURABLE = { durable: false } as const;

const COUNTER_COLUMNS =
  "budget_key, window_start, window_ms, scope, subject, budget, max, used, updated_at";

/**
 * Budget counters and reservations (DESIGN §7b), in the database: a call's
 * charges are held in one transaction, each by a single conditional upsert
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
      WHERE ${counters}.used + excluded.used <= excluded.max
      RETURNING used`;
    this.#hold = `INSERT INTO ${ctx.tables.budgetReservations} (id, budget_key, window_start, amount, call_id, reserved_at)`;
  }

  async reserve(request: BudgetReservationRequest): Promise<BudgetReservationResult> {
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
      if (charge.amount > charge.max) {
        return exceeded(index, charge, windowStart, await this.#used(charge.key, windowStart));
      }
    }
    try {
      return await this.#ctx.driver.transaction(async (tx) => {
        for (const { charge, index, windowStart } of ordered) {
          const held = await tx.all(this.#charge, [
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
          if (held.length === 0) {
            throw new BudgetExceeded(
              exceeded(index, charge, windowStart, await this.#used(charge.key, windowStart, tx)),
            );
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
        return { reserved: true } as const;
        // Not durable on its own: a reservation matters only once the decision row
        // that follows commits durably, and that commit carries it to the disk.
      }, NOT_DURABLE);
    } catch (error) {
      if (error instanceof BudgetExceeded) return error.result;
      throw error;
    }
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
      for (const { key, windowStart, amount } of ordered) {
        await tx.run(
          `UPDATE ${tables.budgetCounters} SET used = CASE WHEN used > ? THEN used - ? ELSE 0 END WHERE budget_key = ? AND window_start = ?`,
          [amount, amount, key, windowStart],
        );
      }
    });
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

  async #used(key: string, windowStart: number, tx?: SqlTransaction): Promise<number> {
    const [row] = await (tx ?? this.#ctx.driver).all(
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
