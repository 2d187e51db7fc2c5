import type { LiveChange, LiveSink, LiveWatch } from "@writ/core/backend";
import type { SqlDriver } from "../sql/sql-driver.js";
import type { LiveChangeLog } from "./live-change-log.js";

/**
 * The live feed of an embedded store: changes reach every sink synchronously
 * right after the transaction that made them commits, before the call that
 * made them resolves, so a watching guard is never stale. Only sees changes
 * made through this process's store (one process per SQLite file).
 */
export class InProcessLiveFeed {
  readonly #sinks = new Set<LiveSink>();
  readonly #driver: SqlDriver;
  readonly #log: LiveChangeLog;

  constructor(driver: SqlDriver, log: LiveChangeLog) {
    this.#driver = driver;
    this.#log = log;
  }

  /** Called after commit with the committed changes, in sequence order. */
  deliver(changes: readonly LiveChange[]): void {
    for (const sink of this.#sinks) for (const change of changes) sink.change(change);
  }

  async watch(sink: LiveSink): Promise<LiveWatch> {
    await this.#sendSnapshot(sink, true);
    return {
      synchronous: true,
      resync: () => {
        this.#sendSnapshot(sink, false).catch((error: unknown) => sink.fault(asError(error)));
      },
      close: async () => {
        this.#sinks.delete(sink);
      },
    };
  }

  async close(): Promise<void> {
    this.#sinks.clear();
  }

  /** Read inside a transaction, so no change can commit between the snapshot and the sink joining. */
  #sendSnapshot(sink: LiveSink, join: boolean): Promise<void> {
    return this.#driver.transaction(async (tx) => {
      sink.snapshot(await this.#log.snapshot(tx));
      if (join) this.#sinks.add(sink);
    });
  }
}

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
