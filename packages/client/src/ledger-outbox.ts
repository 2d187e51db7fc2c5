import { isWritError, type LedgerRecord, WritError } from "@writ/core";
import type { LedgerAppend } from "@writ/core/backend";
import { appendJson } from "./append-json.js";

/** A queued row (serialized as sent) and the append() call waiting on it. */
interface Queued {
  readonly json: string;
  /** Requests that carried it and got no answer: the server may have recorded it. */
  unanswered: number;
  readonly resolve: (record: LedgerRecord) => void;
  readonly reject: (error: unknown) => void;
}

/** Rows the outbox carries in one request: a fraction of the server's 1 MiB body limit. */
const BATCH_ROWS = 64;
const BATCH_BYTES = 256 * 1024;
/** Beyond this many queued rows, new ones are refused (reported lost), not held without bound. */
const MAX_QUEUED = 10_000;
/** How long a row waits for a decision to carry it before it is sent on its own. */
const LINGER_MS = 10;
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 5_000;
/**
 * Requests a row may go unanswered in before it is reported lost: a server
 * that stays unreachable must not hold a guard's close() (which waits for its
 * outcome rows) for ever. Refused at once, that is about 3 s of backoff.
 */
const MAX_UNANSWERED = 5;

/** What the outbox sends: rows in order (serialized), the first `retried` of which may be recorded already. */
export type SendRows = (
  rows: readonly string[],
  retried: number,
) => Promise<readonly LedgerRecord[]>;

/**
 * The rows a remote guard need not wait for (a call's outcome), queued and
 * sent in batches: with the next decision's request (no round trip of their
 * own), or on their own after a few milliseconds without one. A request that
 * fails without an answer leaves its rows queued, marked as possibly
 * recorded, and they are sent again with backoff (five requests at most); the
 * server records such a row only when it does not hold it already, so a retry
 * never appends twice. A refusal (the server answered no) is final: the rows
 * are reported lost.
 */
export class LedgerOutbox {
  readonly #send: SendRows;
  #queue: Queued[] = [];
  #timer: NodeJS.Timeout | undefined;
  #sending: Promise<void> | undefined;
  #retryMs = RETRY_FIRST_MS;
  #closed = false;

  constructor(send: SendRows) {
    this.#send = send;
  }

  /** Queues rows; resolves with their records once the server has them. */
  add(appends: readonly LedgerAppend[]): Promise<readonly LedgerRecord[]> {
    if (this.#closed) {
      return Promise.reject(
        new WritError(
          "ledger.unavailable",
          "This remote backend is closed; the ledger takes no more rows.",
        ),
      );
    }
    if (this.#queue.length + appends.length > MAX_QUEUED) {
      return Promise.reject(
        new WritError(
          "ledger.unavailable",
          `More than ${MAX_QUEUED} ledger rows are waiting for the Writ server; this one is dropped.`,
        ),
      );
    }
    const records = appends.map(
      (append) =>
        new Promise<LedgerRecord>((resolve, reject) => {
          this.#queue.push({ json: appendJson(append), unanswered: 0, resolve, reject });
        }),
    );
    this.#schedule(LINGER_MS);
    return Promise.all(records);
  }

  /**
   * Takes the rows a request can carry ahead of its own (one batch, oldest
   * first) and the means to settle them with its answer.
   */
  take(): Carried {
    if (this.#sending !== undefined) return NOTHING_CARRIED;
    const batch = this.#takeBatch();
    if (batch.length === 0) return NOTHING_CARRIED;
    return {
      rows: batch.map((queued) => queued.json),
      retried: retriedPrefix(batch),
      settle: (records) => settle(batch, records),
      fail: (error) => this.#failed(batch, error),
    };
  }

  /** Sends every queued row now; resolves once none is left (each recorded or reported lost). */
  async flush(): Promise<void> {
    while (this.#sending !== undefined || this.#queue.length > 0) {
      if (this.#sending === undefined) this.#sendBatch(true);
      await this.#sending;
    }
  }

  /** Sends what is queued, then refuses more rows; a row the server cannot take is reported lost. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  #takeBatch(): Queued[] {
    let bytes = 0;
    let count = 0;
    for (const queued of this.#queue) {
      if (count === BATCH_ROWS) break;
      bytes += queued.json.length;
      if (count > 0 && bytes > BATCH_BYTES) break;
      count++;
    }
    return this.#queue.splice(0, count);
  }

  #schedule(delayMs: number): void {
    if (this.#timer !== undefined || this.#sending !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#sendBatch(false);
    }, delayMs);
    // Queued rows do not hold the process open: close() or flush() sends them.
    this.#timer.unref();
  }

  /** Sends one batch on its own; `final` (flushing): a batch that fails is not sent again. */
  #sendBatch(final: boolean): void {
    const batch = this.#takeBatch();
    if (batch.length === 0) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#sending = this.#send(
      batch.map((queued) => queued.json),
      retriedPrefix(batch),
    ).then(
      (records) => {
        this.#retryMs = RETRY_FIRST_MS;
        settle(batch, records);
      },
      (error: unknown) => this.#failed(batch, error, final),
    );
    void this.#sending.finally(() => {
      this.#sending = undefined;
      if (this.#queue.length > 0)
        this.#schedule(this.#retryMs === RETRY_FIRST_MS ? LINGER_MS : this.#retryMs);
    });
  }

  /**
   * A request that carried `batch` failed. Rows the server refused are lost;
   * rows whose request got no answer go back to the front of the queue,
   * possibly recorded, and are sent again after a backoff.
   */
  #failed(batch: readonly Queued[], error: unknown, final = false): void {
    if (final || this.#closed || !wentUnanswered(error)) {
      for (const queued of batch) queued.reject(error);
      return;
    }
    const again: Queued[] = [];
    for (const queued of batch) {
      if (++queued.unanswered < MAX_UNANSWERED) again.push(queued);
      else queued.reject(error);
    }
    this.#queue.unshift(...again);
    this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
    if (this.#sending === undefined && this.#queue.length > 0) this.#schedule(this.#retryMs);
  }
}

/** Rows a request carries ahead of its own, and how to settle them with its answer. */
export interface Carried {
  /** Serialized, as the request carries them. */
  readonly rows: readonly string[];
  /** How many of the first rows may have been recorded by an earlier request. */
  readonly retried: number;
  readonly settle: (records: readonly LedgerRecord[]) => void;
  readonly fail: (error: unknown) => void;
}

const NOTHING_CARRIED: Carried = { rows: [], retried: 0, settle: () => {}, fail: () => {} };

/** Resolves each queued row's append() with its record, in order. */
function settle(batch: readonly Queued[], records: readonly LedgerRecord[]): void {
  for (const [index, queued] of batch.entries()) queued.resolve(records[index] as LedgerRecord);
}

/** Rows put back are at the front of the queue, so the possibly recorded ones lead a batch. */
function retriedPrefix(batch: readonly Queued[]): number {
  const first = batch.findIndex((queued) => queued.unanswered === 0);
  return first === -1 ? batch.length : first;
}

/** A request the server may have received but did not answer: the transport's store.unavailable. */
export function wentUnanswered(error: unknown): boolean {
  return isWritError(error) && error.code === "store.unavailable";
}
