import type { LiveChange, LiveSnapshot } from "@writ/core/backend";
import { loadAgentStates, loadUserStates } from "../directory/principal-states.js";
import { loadRevocations } from "../revocations/load-revocations.js";
import { integer, json } from "../sql/row-values.js";
import type { SqlExecutor, SqlTransaction } from "../sql/sql-driver.js";
import type { StoreContext } from "../store-context.js";

/** Postgres NOTIFY payloads are capped at 8000 bytes; larger changes are announced by sequence number only. */
const MAX_NOTIFY_PAYLOAD = 7000;

/** Records a live change inside a change transaction; `build` receives its sequence number. */
export type EmitChange = (build: (seq: number) => LiveChange) => LiveChange;

/**
 * The sequence-numbered log of live-state changes. Every change transaction
 * first locks the counter row, so changes are numbered without gaps in commit
 * order, across processes, and a change's user or agent state is computed
 * after every earlier change has committed.
 */
export class LiveChangeLog {
  readonly #ctx: StoreContext;
  readonly #committed: (changes: readonly LiveChange[]) => void;

  constructor(ctx: StoreContext, committed: (changes: readonly LiveChange[]) => void) {
    this.#ctx = ctx;
    this.#committed = committed;
  }

  /**
   * Makes `tx` a change transaction and runs `work` in it: the changes it
   * emits are logged and announced with the transaction, and delivered after
   * it commits.
   */
  async change<T>(tx: SqlTransaction, work: (emit: EmitChange) => Promise<T>): Promise<T> {
    const { driver, tables, clock, channel } = this.#ctx;
    const lock = driver.dialect === "postgres" ? " FOR UPDATE" : "";
    const [counter] = await tx.all(`SELECT seq FROM ${tables.liveCounter} WHERE id = 1${lock}`);
    let seq = counter ? integer(counter, "seq") : 0;
    const changes: LiveChange[] = [];
    const result = await work((build) => {
      const change = build(++seq);
      changes.push(change);
      return change;
    });
    if (changes.length === 0) return result;
    const at = clock();
    await tx.insertMany(
      `INSERT INTO ${tables.liveChanges} (seq, at, change_json)`,
      changes.map((change) => [change.seq, at, JSON.stringify(change)]),
    );
    await tx.run(`UPDATE ${tables.liveCounter} SET seq = ? WHERE id = 1`, [seq]);
    if (driver.dialect === "postgres") {
      for (const change of changes) {
        const payload = JSON.stringify(change);
        // One notification per change, delivered at commit in commit order.
        await tx.all("SELECT pg_notify(?, ?)", [
          channel,
          payload.length <= MAX_NOTIFY_PAYLOAD ? payload : JSON.stringify({ seq: change.seq }),
        ]);
      }
    }
    tx.afterCommit(() => this.#committed(changes));
    return result;
  }

  /** The whole live state at one sequence number, read consistently. */
  async snapshot(db: SqlExecutor): Promise<LiveSnapshot> {
    const seq = await this.currentSeq(db);
    return {
      seq,
      revocations: await loadRevocations(this.#ctx, db),
      users: await loadUserStates(this.#ctx, db),
      agents: await loadAgentStates(this.#ctx, db),
    };
  }

  async currentSeq(db: SqlExecutor): Promise<number> {
    const [row] = await db.all(`SELECT seq FROM ${this.#ctx.tables.liveCounter} WHERE id = 1`);
    return row ? integer(row, "seq") : 0;
  }

  /** Changes after `seq`, in order: how a feed catches up after a gap or a reconnect. */
  async changesAfter(db: SqlExecutor, seq: number, limit = 10_000): Promise<LiveChange[]> {
    const rows = await db.all(
      `SELECT change_json FROM ${this.#ctx.tables.liveChanges} WHERE seq > ? ORDER BY seq LIMIT ?`,
      [seq, limit],
    );
    return rows.map((row) => json(row, "change_json") as LiveChange);
  }
}
