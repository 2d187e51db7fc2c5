import type { LedgerDetail } from "@writ/core";
import type { LedgerEntry } from "@writ/core/backend";
import type { LedgerWriter } from "../ledger/ledger-writer.js";
import type { EmitChange, LiveChangeLog } from "../live/live-change-log.js";
import type { SqlTransaction } from "../sql/sql-driver.js";
import type { StoreContext } from "../store-context.js";

/**
 * An administrative change in progress. Its statements, the live changes it
 * emits and the ledger rows that record it commit together or not at all, so
 * no change takes effect without its audit row, and no row records a change
 * that did not happen.
 */
export interface AdminChange {
  readonly tx: SqlTransaction;
  readonly emit: EmitChange;
  /** Appends rows to this writer's ledger chain, inside the change's transaction. */
  record(...entries: LedgerEntry[]): Promise<void>;
  /** Records an `admin` row: the operation and the ids it touched. */
  audit(op: string, facts: Readonly<Record<string, string>>): Promise<void>;
}

/** Runs `work` as one administrative change. */
export type RunAdminChange = <T>(work: (change: AdminChange) => Promise<T>) => Promise<T>;

/** Administrative changes on this store: a change transaction with this writer's chain to itself. */
export function adminChanges(
  ctx: StoreContext,
  writer: LedgerWriter,
  log: LiveChangeLog,
): RunAdminChange {
  return (work) =>
    writer.transaction((tx, append) =>
      log.change(tx, (emit) => {
        const record = async (...entries: LedgerEntry[]) => {
          await append(entries.map((entry) => ({ entry })));
        };
        return work({
          tx,
          emit,
          record,
          audit: (op, facts) =>
            record({
              kind: "admin",
              time: ctx.clock(),
              ...(facts.user === undefined ? {} : { user: facts.user }),
              ...(facts.agent === undefined ? {} : { agent: facts.agent }),
              detail: { op, ...facts } satisfies LedgerDetail,
            }),
        });
      }),
    );
}
