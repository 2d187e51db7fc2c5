import type { Clock, LedgerRecord } from "@writ/core";
import type { WritStore } from "../writ-store.js";

/** How far back each poll looks again: rows another instance commits late still arrive. */
const OVERLAP_MS = 10_000;
const POLL_MS = 250;

/**
 * New ledger rows as they are committed, from any instance: the ledger is
 * read by time (with an overlap window, since other writers commit rows
 * whose time is a little older than rows already seen) while someone
 * listens, and each row is passed on once. The console's live views run on
 * it; guards never do (their live state has its own feed).
 */
export class LedgerTail {
  readonly #store: WritStore;
  readonly #clock: Clock;
  readonly #listeners = new Set<(rows: readonly LedgerRecord[]) => void>();
  /** Ids of rows passed on within the overlap window, with their time. */
  readonly #seen = new Map<string, number>();
  #since: number;
  #timer: NodeJS.Timeout | undefined;
  #polling = false;

  constructor(store: WritStore, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
    this.#since = clock();
  }

  /** Listens until the returned function is called. */
  listen(listener: (rows: readonly LedgerRecord[]) => void): () => void {
    if (this.#listeners.size === 0) {
      this.#since = this.#clock();
      this.#seen.clear();
      this.#timer = setInterval(() => void this.#poll(), POLL_MS);
      this.#timer.unref();
    }
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) clearInterval(this.#timer);
    };
  }

  close(): void {
    this.#listeners.clear();
    clearInterval(this.#timer);
  }

  async #poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      const fresh: LedgerRecord[] = [];
      let cursor: string | undefined;
      do {
        const page = await this.#store.queryLedger({
          from: this.#since - OVERLAP_MS,
          limit: 1000,
          ...(cursor === undefined ? {} : { cursor }),
        });
        for (const row of page.records) {
          if (this.#seen.has(row.id)) continue;
          this.#seen.set(row.id, row.time);
          fresh.push(row);
        }
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      const latest = fresh.reduce((max, row) => Math.max(max, row.time), this.#since);
      this.#since = latest;
      for (const [id, time] of this.#seen)
        if (time < latest - 2 * OVERLAP_MS) this.#seen.delete(id);
      if (fresh.length > 0) for (const listener of this.#listeners) listener(fresh);
    } catch {
      // The store is unreachable for a moment: the next poll reads the same window again.
    } finally {
      this.#polling = false;
    }
  }
}
