import { type KeyPair, type LedgerRecord, WritError } from "@writ/core";
import {
  GENESIS_HASH,
  type LedgerAppend,
  type LedgerEntry,
  type LedgerPayload,
  sealLedgerEntry,
  uuidV7,
} from "@writ/core/backend";
import { integer, text } from "../sql/row-values.js";
import type { SqlTransaction, SqlValue } from "../sql/sql-driver.js";
import type { StoreContext } from "../store-context.js";
import { checkpointSigningInput } from "./checkpoint-signature.js";
import { LEDGER_COLUMNS, rowOf } from "./ledger-rows.js";
import { registerChain } from "./register-chain.js";

/**
 * Rewrites a payload before it is stored (the row keeps the hash of the real
 * value). Return undefined to store nothing for it.
 */
export type PayloadRedactor = (payload: LedgerPayload, entry: LedgerEntry) => unknown;

export interface LedgerWriterOptions {
  readonly chainId: string;
  /** Signs this chain's checkpoints; its public key is recorded with the chain. */
  readonly checkpointKey: KeyPair;
  readonly checkpointEvery: number;
  readonly checkpointIntervalMs: number;
  readonly maxBatchRows: number;
  readonly redact?: PayloadRedactor | undefined;
}

/** Appends rows to the chain inside a caller's transaction: they commit, or roll back, with it. */
export type AppendInTransaction = (appends: readonly LedgerAppend[]) => Promise<LedgerRecord[]>;

/**
 * Rows to append, or what writes inside the batch's transaction and returns
 * its rows (a budget reservation and the decision row that follows from
 * it). It runs in a savepoint: if it throws, its writes roll back and its
 * append fails alone, while the rest of the batch commits.
 */
type Appends = readonly LedgerAppend[] | ((tx: SqlTransaction) => Promise<readonly LedgerAppend[]>);

interface PendingAppends {
  readonly appends: Appends;
  /** false: the rows wait for the next durable commit, or DEFERRED_MS. */
  readonly durable: boolean;
  readonly resolve: (records: LedgerRecord[]) => void;
  readonly reject: (error: unknown) => void;
}

/** A caller's transaction waiting for its turn on the chain; `run` settles the caller's promise. */
interface PendingTransaction {
  readonly run: () => Promise<void>;
}

/**
 * How long rows that need not be durable (outcomes) wait for a durable commit
 * to join before they are committed on their own: long enough that a guard
 * whose calls come a few tens of milliseconds apart (an MCP gateway serving
 * one client after another) has the next decision carry them, rather than
 * pay a commit of their own and the wake-ups it causes; short enough that
 * other processes reading the file see them well within a second. The
 * store's own reads commit them first.
 */
const DEFERRED_MS = 250;

interface Head {
  readonly seq: number;
  readonly hash: string;
}

/**
 * One writer's hash chain, with group commit: appends that arrive while a
 * write is being prepared or committed go into the next transaction, so many
 * concurrent guards share one commit, yet every append resolves only after
 * the transaction holding its rows has committed. A change whose rows must
 * commit with it (an administrative change and its audit row) runs as its
 * own transaction in the same queue, so the chain has one writer at a time.
 * Rows that need not be durable (a call's outcome) wait in the queue for the
 * next durable commit, or DEFERRED_MS, so a guarded call pays for one commit.
 */
export class LedgerWriter {
  readonly chainId: string;
  readonly #ctx: StoreContext;
  readonly #options: LedgerWriterOptions;
  readonly #insertRows: string;
  #queue: (PendingAppends | PendingTransaction)[] = [];
  #flushing: Promise<void> | undefined;
  #scheduled = false;
  #deferredTimer: NodeJS.Timeout | undefined;
  /** The committed head; undefined until read, and after a failed write whose outcome is unknown. */
  #head: Head | undefined;
  #chainRecorded = false;
  #rowsSinceCheckpoint = 0;
  #checkpointDue = false;
  #closed = false;
  readonly #timer: NodeJS.Timeout;

  constructor(ctx: StoreContext, options: LedgerWriterOptions) {
    this.#ctx = ctx;
    this.#options = options;
    this.chainId = options.chainId;
    this.#insertRows = `INSERT INTO ${ctx.tables.ledger} (${LEDGER_COLUMNS.join(", ")})`;
    this.#timer = setInterval(() => {
      if (this.#rowsSinceCheckpoint > 0) {
        this.#checkpointDue = true;
        this.#schedule();
      }
    }, options.checkpointIntervalMs).unref();
  }

  /**
   * `appends` may be a function that writes inside the batch's transaction
   * and returns the rows to append, which commit with its writes.
   * `durable: false`: resolves once committed, with the next durable commit
   * or within DEFERRED_MS.
   */
  append(appends: Appends, durable = true): Promise<LedgerRecord[]> {
    if (this.#closed) return Promise.reject(closed());
    if (this.#ctx.readOnly) return Promise.reject(readOnly(this.#ctx.where));
    if (appends.length === 0 && typeof appends !== "function") return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.#queue.push({ appends, durable, resolve, reject });
      if (durable) this.#schedule();
      else this.#defer();
    });
  }

  /** Commits the rows waiting for a durable commit now: the store's own reads see every row appended before them. */
  async settle(): Promise<void> {
    if (this.#queue.length > 0 || this.#flushing) await this.#drain();
  }

  /**
   * Runs `work` in a transaction that has this chain to itself: the rows it
   * appends commit with its other statements, or none of them do.
   * `work` must not call append(), which would wait for it.
   */
  transaction<T>(
    work: (tx: SqlTransaction, append: AppendInTransaction) => Promise<T>,
  ): Promise<T> {
    if (this.#closed) return Promise.reject(closed());
    if (this.#ctx.readOnly) return Promise.reject(readOnly(this.#ctx.where));
    return new Promise((resolve, reject) => {
      this.#queue.push({ run: () => this.#runTransaction(work).then(resolve, reject) });
      this.#schedule();
    });
  }

  /** The seq of this chain's last committed row; 0 when it has none, undefined when unknown. */
  get lastSeq(): number | undefined {
    return this.#head?.seq;
  }

  /** Writes what is queued and a final checkpoint, then stops. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    clearTimeout(this.#deferredTimer);
    this.#deferredTimer = undefined;
    while (this.#flushing || this.#queue.length > 0) await this.#drain();
    if (this.#rowsSinceCheckpoint > 0) {
      this.#checkpointDue = true;
      await this.#drain();
    }
  }

  /**
   * Makes sure queued rows commit within DEFERRED_MS. One timer serves
   * every deferred row: a commit that takes them leaves it running
   * (unreferenced, so it keeps no process alive) rather than clearing it,
   * so a guard deciding call after call arms a timer every DEFERRED_MS, not
   * one per call. Fired with nothing queued, it does nothing.
   */
  #defer(): void {
    if (this.#deferredTimer === undefined) {
      this.#deferredTimer = setTimeout(() => {
        this.#deferredTimer = undefined;
        if (this.#queue.length > 0) this.#schedule();
      }, DEFERRED_MS);
    } else this.#deferredTimer.ref();
  }

  #schedule(): void {
    if (this.#scheduled || this.#flushing) return;
    this.#scheduled = true;
    // Appends made in the same turn join one commit, and appends made while a
    // commit is in flight join the next: group commit without a timer's delay.
    queueMicrotask(() => {
      this.#scheduled = false;
      void this.#drain();
    });
  }

  /** Runs the one flush loop (or joins it): there is never more than one writer per chain. */
  #drain(): Promise<void> {
    this.#flushing ??= this.#flush().finally(() => {
      this.#flushing = undefined;
      if (!this.#closed && (this.#queue.length > 0 || this.#checkpointDue)) this.#schedule();
    });
    return this.#flushing;
  }

  async #flush(): Promise<void> {
    // Batches committed whose commit is not yet durable: the next batch is sealed and
    // committed meanwhile, so its rows join the next sync rather than wait for this one.
    const syncing = new Set<Promise<void>>();
    try {
      while (this.#queue.length > 0 || this.#checkpointDue) {
        const next = this.#queue[0];
        if (next && "run" in next) {
          this.#queue.shift();
          await next.run();
          continue;
        }
        const batch = this.#takeBatch();
        const commit = Promise.withResolvers<void>();
        const settled: Promise<void> = this.#write(batch, commit.resolve).then(
          (written) => {
            syncing.delete(settled);
            for (let index = 0; index < batch.length; index++) {
              const pending = batch[index] as PendingAppends;
              const records = written[index];
              if (Array.isArray(records)) pending.resolve(records);
              else
                pending.reject(
                  ledgerFailure(records?.error, "The ledger could not record the events."),
                );
            }
          },
          (error: unknown) => {
            syncing.delete(settled);
            this.#head = undefined; // the commit may or may not have happened: read the head again
            this.#checkpointDue = false;
            const failure = ledgerFailure(error, "The ledger could not record the events.");
            for (const pending of batch) pending.reject(failure);
            commit.resolve(); // a batch that did not commit lets the next one go all the same
          },
        );
        syncing.add(settled);
        await commit.promise;
      }
    } finally {
      await Promise.all(syncing);
    }
  }

  /** Queued appends up to the row bound, stopping at a queued transaction. */
  #takeBatch(): PendingAppends[] {
    const queue = this.#queue;
    let taken = 0;
    let rows = 0;
    while (taken < queue.length) {
      const next = queue[taken] as PendingAppends | PendingTransaction;
      if ("run" in next) break;
      const count = typeof next.appends === "function" ? 1 : next.appends.length;
      if (taken > 0 && rows + count > this.#options.maxBatchRows) break;
      rows += count;
      taken++;
    }
    // Nothing left waiting for the deferred timer: it need not keep the process alive.
    if (taken === queue.length) this.#deferredTimer?.unref();
    // One splice, not a shift per append: thousands may be queued behind the batch.
    return queue.splice(0, taken) as PendingAppends[];
  }

  /**
   * Each pending append's records, or what it threw (its writes rolled back,
   * the rest committed); resolves once durable. `committed` runs as the
   * transaction commits, before it is durable.
   */
  async #write(
    batch: readonly PendingAppends[],
    committed: () => void,
  ): Promise<(LedgerRecord[] | { readonly error: unknown })[]> {
    let waiting = 0;
    for (const pending of batch) if (pending.durable) waiting++;
    // Several callers waiting on one commit, or more queued behind it, mean calls are in flight:
    // the commit is synced off the event loop while they go on. A lone call's commit syncs at once.
    const pipelined = waiting > 1 || this.#queue.length > 0;
    let failures: Map<number, { readonly error: unknown }> | undefined;
    const records = await this.#ctx.driver.transaction(
      async (tx) => {
        const groups: (readonly LedgerAppend[])[] = [];
        for (let index = 0; index < batch.length; index++) {
          const { appends } = batch[index] as PendingAppends;
          if (typeof appends !== "function") {
            groups.push(appends);
            continue;
          }
          await tx.run("SAVEPOINT writ_append");
          try {
            groups.push(await appends(tx));
          } catch (error) {
            await tx.run("ROLLBACK TO writ_append");
            failures ??= new Map();
            failures.set(index, { error });
            groups.push([]);
          }
          await tx.run("RELEASE writ_append");
        }
        const now = this.#ctx.clock();
        const written = await this.#insert(
          tx,
          this.#head ?? (await this.#readHead(tx)),
          groups,
          now,
        );
        const sinceCheckpoint = this.#rowsSinceCheckpoint + written.rows;
        const checkpoint =
          sinceCheckpoint > 0 &&
          (this.#checkpointDue || sinceCheckpoint >= this.#options.checkpointEvery);
        if (checkpoint) await this.#checkpoint(tx, written.head, now);
        // The next batch's transaction starts from here, while this one's commit is made durable.
        tx.afterCommit(() => {
          this.#head = written.head;
          this.#rowsSinceCheckpoint = checkpoint ? 0 : sinceCheckpoint;
          this.#checkpointDue = false;
          committed();
        });
        return written.records;
      },
      { durable: waiting > 0, pipelined },
    );
    const failed = failures;
    return failed ? records.map((rows, index) => failed.get(index) ?? rows) : records;
  }

  async #runTransaction<T>(
    work: (tx: SqlTransaction, append: AppendInTransaction) => Promise<T>,
  ): Promise<T> {
    try {
      return await this.#ctx.driver.transaction(async (tx) => {
        let head: Head | undefined;
        let rows = 0;
        const append: AppendInTransaction = async (appends) => {
          if (appends.length === 0) return [];
          try {
            const written = await this.#insert(
              tx,
              head ?? this.#head ?? (await this.#readHead(tx)),
              [appends],
              this.#ctx.clock(),
            );
            head = written.head;
            rows += written.rows;
            return written.records[0] ?? [];
          } catch (error) {
            throw ledgerFailure(
              error,
              "The ledger could not record the change, so nothing was changed.",
            );
          }
        };
        const result = await work(tx, append);
        tx.afterCommit(() => {
          if (head) this.#head = head;
          this.#rowsSinceCheckpoint += rows;
          // Sealed by the next batch's transaction (or the timer, or close).
          if (this.#rowsSinceCheckpoint >= this.#options.checkpointEvery)
            this.#checkpointDue = true;
        });
        return result;
      });
    } catch (error) {
      this.#head = undefined; // the commit may or may not have happened: read the head again
      throw error;
    }
  }

  /** Seals each group of appends onto the chain after `head` and inserts the rows and payloads. */
  async #insert(
    tx: SqlTransaction,
    head: Head,
    groups: readonly (readonly LedgerAppend[])[],
    now: number,
  ): Promise<{ records: LedgerRecord[][]; head: Head; rows: number }> {
    const { tables, clock, random } = this.#ctx;
    const records: LedgerRecord[][] = [];
    const rows: SqlValue[][] = [];
    const payloads: SqlValue[][] = [];
    let { seq, hash } = head;
    for (const appends of groups) {
      const sealed: LedgerRecord[] = [];
      for (const { entry, payloads: bodies } of appends) {
        const record = sealLedgerEntry(entry, {
          chainId: this.chainId,
          seq: ++seq,
          id: uuidV7(clock, random),
          prevHash: hash,
        });
        hash = record.hash;
        sealed.push(record);
        rows.push(rowOf(record));
        if (bodies === undefined) continue;
        for (const payload of bodies) {
          const body = this.#storedBody(payload, entry);
          if (body !== undefined) payloads.push([payload.hash, body, now]);
        }
      }
      records.push(sealed);
    }
    await tx.insertMany(this.#insertRows, rows);
    if (payloads.length > 0) {
      await tx.insertMany(
        `INSERT INTO ${tables.ledgerPayloads} (hash, body_json, stored_at)`,
        payloads,
        "ON CONFLICT (hash) DO NOTHING",
      );
    }
    return { records, head: { seq, hash }, rows: rows.length };
  }

  #storedBody(payload: LedgerPayload, entry: LedgerEntry): string | undefined {
    const body = this.#options.redact ? this.#options.redact(payload, entry) : payload.body;
    if (body === undefined) return undefined;
    try {
      return JSON.stringify(body);
    } catch {
      return undefined; // a body with no JSON form is kept as its hash only
    }
  }

  async #readHead(tx: SqlTransaction): Promise<Head> {
    const { tables } = this.#ctx;
    if (!this.#chainRecorded) {
      await registerChain(this.#ctx, tx, this.chainId, this.#options.checkpointKey);
      tx.afterCommit(() => {
        this.#chainRecorded = true;
      });
    }
    const [row] = await tx.all(
      `SELECT seq, hash FROM ${tables.ledger} WHERE chain_id = ? ORDER BY seq DESC LIMIT 1`,
      [this.chainId],
    );
    return row
      ? { seq: integer(row, "seq"), hash: text(row, "hash") }
      : { seq: 0, hash: GENESIS_HASH };
  }

  async #checkpoint(tx: SqlTransaction, head: Head, time: number): Promise<void> {
    const key = this.#options.checkpointKey;
    const signature = key
      .sign(checkpointSigningInput({ chainId: this.chainId, seq: head.seq, hash: head.hash, time }))
      .toString("base64url");
    await tx.run(
      `INSERT INTO ${this.#ctx.tables.ledgerCheckpoints} (chain_id, seq, hash, time, key_thumbprint, signature) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (chain_id, seq) DO NOTHING`,
      [this.chainId, head.seq, head.hash, time, key.thumbprint, signature],
    );
  }
}

function closed(): WritError {
  return new WritError(
    "ledger.unavailable",
    "This backend is closed; the ledger takes no more rows.",
  );
}

function readOnly(where: string): WritError {
  return new WritError(
    "store.read_only",
    `${where} is open for reading only: the ledger takes no rows and nothing can be changed.`,
  );
}

function ledgerFailure(error: unknown, message: string): WritError {
  return error instanceof WritError
    ? error
    : new WritError("ledger.unavailable", message, {}, error);
}
