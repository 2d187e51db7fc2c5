import type {
  BudgetCharge,
  BudgetReservationRequest,
  BudgetReservationResult,
  BudgetScope,
  BudgetUsage,
  LedgerDetail,
} from "@writ/core/backend";
import { budgetWindowStart } from "@writ/core/backend";
import { integer, optionalJson, optionalReal, text } from "../sql/row-values.js";
import type { SqlTransaction } from "../sql/sql-driver.js";
import type { StoreContext } from "../store-context.js";
import { heldChargesOf } from "./held-charges-detail.js";

const NOT_DURABLE = { durable: false } as const;

const COUNTER_COLUMNS =
  "budget_key, window_start, window_ms, scope, subject, budget, max, used, updated_at";

/** What a reservation took of one counter: what its release gives back. */
export interface HeldCharge {
  readonly key: string;
  readonly windowStart: number;
  readonly amount: number;
}

/** A reservation's answer, and what it took when it was reserved (none when refused). */
export interface TakenReservation {
  readonly reservation: BudgetReservationResult;
  readonly held: readonly HeldCharge[];
}

/**
 * Budget counters and reservations (DESIGN §7b), in the database: a call's
 * charges are held in one transaction (on SQLite, the one that commits its
 * decision row), each by a single conditional upsert
 * that adds the amount only while the window stays within its maximum, so
 * reservations from any number of processes or instances never take a
 * budget over. Charges are taken in key order, so two reservations sharing
 * counters lock them in the same order and never deadlock (Postgres).
 *
 * What a reservation took is recorded where it commits: a reservation taken
 * on its own (reserve(): a remote guard's, through the server) in hold rows;
 * one taken for its decision row (reserveIn() or take(), for reserveAndAppend) in that
 * row, by the store (held-charges-detail.ts), so the hot path writes nothing
 * but the counters and the decision. Either is released at most once: the
 * hold rows are marked, a decision row's reservation gets a release row.
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

  /**
   * Reserves in a transaction of its own, with its hold rows (nothing else
   * records what it took), which need not be durable: the decision row that
   * follows carries it to the disk.
   */
  reserve(request: BudgetReservationRequest): Promise<BudgetReservationResult> {
    return this.#ctx.driver.transaction(async (tx) => {
      const { reservation, held } = await this.reserveIn(tx, request);
      if (held.length > 0) {
        const now = this.#ctx.clock();
        await tx.insertMany(
          this.#hold,
          held.map(({ key, windowStart, amount }) => [
            request.id,
            key,
            windowStart,
            amount,
            request.callId,
            now,
          ]),
        );
      }
      return reservation;
    }, NOT_DURABLE);
  }

  /**
   * Takes the charges in a transaction of their own, recording nothing of the
   * reservation (its caller records what it `held`), which need not be
   * durable: the decision row that follows carries it to the disk.
   */
  take(request: BudgetReservationRequest): Promise<TakenReservation> {
    return this.#ctx.driver.transaction((tx) => this.reserveIn(tx, request), NOT_DURABLE);
  }

  /**
   * Takes every charge of `request` inside the caller's transaction, or none:
   * a charge that does not fit gives back the ones already taken in it, so
   * the transaction can go on (and commit other writes) either way. Records
   * nothing of the reservation: the caller does, with what it `held`.
   */
  async reserveIn(
    tx: SqlTransaction,
    request: BudgetReservationRequest,
  ): Promise<TakenReservation> {
    const now = this.#ctx.clock();
    const ordered = request.charges
      .map((charge, index) => ({
        charge,
        index,
        windowStart: budgetWindowStart(now, charge.windowMs),
      }))
      .sort((a, b) => byKey(a.charge, b.charge));
    // An amount above the maximum never fits, whatever the window holds: refused without a write.
    for (const { charge, index, windowStart } of ordered) {
      if (charge.amount > charge.max)
        return refused(index, charge, windowStart, await this.#used(tx, charge.key, windowStart));
    }
    for (const [taken, { charge, index, windowStart }] of ordered.entries()) {
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
        for (const earlier of ordered.slice(0, taken))
          await this.#giveBack(tx, {
            key: earlier.charge.key,
            windowStart: earlier.windowStart,
            amount: earlier.charge.amount,
          });
        return refused(index, charge, windowStart, used);
      }
    }
    return {
      reservation: { reserved: true },
      held: ordered.map(({ charge, windowStart }) => ({
        key: charge.key,
        windowStart,
        amount: charge.amount,
      })),
    };
  }

  /**
   * Gives a reservation back, once: its hold rows, or else the charges its
   * decision row (a row of call `callId`) records. A second release, or one
   * of an id nothing records, gives nothing back.
   */
  release(id: string, callId: string): Promise<void> {
    return this.#ctx.driver.transaction(async (tx) => {
      const holds = await tx.all(
        `UPDATE ${this.#ctx.tables.budgetReservations} SET released_at = ? WHERE id = ? AND call_id = ? AND released_at IS NULL RETURNING budget_key, window_start, amount`,
        [this.#ctx.clock(), id, callId],
      );
      if (holds.length > 0) {
        const held = holds.map((row) => ({
          key: text(row, "budget_key"),
          windowStart: integer(row, "window_start"),
          amount: optionalReal(row, "amount") ?? 0,
        }));
        return this.#giveBackAll(tx, held);
      }
      const held = await this.#recordedIn(tx, id, callId);
      if (held.length > 0) await this.#giveBackOnceIn(tx, id, held);
    });
  }

  /** Gives back what a reservation took, at most once, when its decision row may not have committed. */
  async giveBackOnce(id: string, held: readonly HeldCharge[]): Promise<void> {
    if (held.length === 0) return;
    await this.#ctx.driver.transaction((tx) => this.#giveBackOnceIn(tx, id, held));
  }

  /**
   * The charges the decision row of call `callId` holding reservation `id`
   * records; none when there is no such row. Only the store writes recorded
   * charges, so a row that names the reservation without them (appended by
   * anyone) neither gives anything back nor hides the one that has them.
   */
  async #recordedIn(tx: SqlTransaction, id: string, callId: string): Promise<HeldCharge[]> {
    const rows = await tx.all(
      `SELECT detail_json FROM ${this.#ctx.tables.ledger} WHERE call_id = ? AND kind = 'decision'`,
      [callId],
    );
    for (const row of rows) {
      const detail = optionalJson(row, "detail_json") as LedgerDetail | null;
      const held = detail?.budgetReservation === id ? heldChargesOf(detail) : [];
      if (held.length > 0) return held;
    }
    return [];
  }

  async #giveBackOnceIn(
    tx: SqlTransaction,
    id: string,
    held: readonly HeldCharge[],
  ): Promise<void> {
    const first = await tx.run(
      `INSERT INTO ${this.#ctx.tables.budgetReleases} (id, released_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`,
      [id, this.#ctx.clock()],
    );
    if (first === 1) await this.#giveBackAll(tx, held);
  }

  /** In key order, as reservations take them: a release and a reservation never deadlock (Postgres). */
  async #giveBackAll(tx: SqlTransaction, held: readonly HeldCharge[]): Promise<void> {
    for (const charge of [...held].sort(byKey)) await this.#giveBack(tx, charge);
  }

  #giveBack(tx: SqlTransaction, { key, windowStart, amount }: HeldCharge): Promise<number> {
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

function refused(
  index: number,
  charge: BudgetCharge,
  windowStart: number,
  used: number,
): TakenReservation {
  return {
    reservation: {
      reserved: false,
      charge: index,
      remaining: Math.max(0, charge.max - used),
      resetsAt: windowStart + charge.windowMs,
    },
    held: [],
  };
}

function byKey(a: { readonly key: string }, b: { readonly key: string }): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
