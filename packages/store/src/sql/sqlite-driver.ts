import { WritError } from "@writ/core";
import type BetterSqlite3 from "better-sqlite3";
import Database from "better-sqlite3";
import type {
  CommitWatcher,
  SqlDriver,
  SqlRow,
  SqlTransaction,
  SqlValue,
  TransactionOptions,
} from "./sql-driver.js";
import { toStoreError } from "./store-errors.js";
import type { WalCheckpointer } from "./wal-checkpointer.js";
import type { WalFlusher } from "./wal-flusher.js";

type Statement = BetterSqlite3.Statement<SqlValue[], SqlRow>;

/**
 * better-sqlite3 behind the async driver interface. One connection, so every
 * use takes a lock: an async transaction must not interleave with another
 * caller's statements. Statements are prepared once and reused. With a
 * WAL flusher, a write resolves once the flusher has made it durable; the
 * lock is released before that, so a pipelined commit's successor can commit
 * while it syncs, and join the next flush.
 */
export class SqliteDriver implements SqlDriver {
  readonly dialect = "sqlite";
  readonly multiStatement = false;
  readonly #db: BetterSqlite3.Database;
  readonly #where: string;
  readonly #statements = new Map<string, Statement>();
  readonly #rawStatements = new Map<string, BetterSqlite3.Statement<SqlValue[], unknown[]>>();
  /** Insert statements by their `INSERT INTO t (columns)` text, then their suffix. */
  readonly #inserts = new Map<
    string,
    Map<string, { readonly width: number; readonly statement: Statement }>
  >();
  readonly #readOnly: boolean;
  readonly #flusher: WalFlusher | undefined;
  readonly #checkpointer: WalCheckpointer | undefined;
  readonly #onClose: (() => void) | undefined;
  #lock: Promise<void> = Promise.resolve();
  #closed = false;
  /** Rows this connection's statements have changed since it opened (SQLite's total_changes(), counted here rather than asked for twice a transaction). */
  #changes = 0;
  /** Write transactions (or single writing statements) this connection has committed. */
  #commits = 0;

  /**
   * `readOnly`: the connection only reads (transactions take no write lock);
   * `flusher`: makes each commit durable after it (synchronous FULL off the
   * event loop); `checkpointer`: checkpoints the WAL off the event loop;
   * `onClose` runs after closing.
   */
  constructor(
    db: BetterSqlite3.Database,
    where: string,
    options: {
      readonly readOnly: boolean;
      readonly flusher?: WalFlusher;
      readonly checkpointer?: WalCheckpointer;
      readonly onClose?: () => void;
    },
  ) {
    this.#db = db;
    this.#where = where;
    this.#readOnly = options.readOnly;
    this.#flusher = options.flusher;
    this.#checkpointer = options.checkpointer;
    this.#checkpointer?.holdCommitsWith((work) => this.#locked(work));
    this.#onClose = options.onClose;
  }

  all(text: string, params: readonly SqlValue[] = []): Promise<SqlRow[]> {
    return this.#locked(() => this.#all(text, params));
  }

  values(text: string, params: readonly SqlValue[] = []): Promise<unknown[][]> {
    return this.#locked(() => this.#values(text, params));
  }

  async run(text: string, params: readonly SqlValue[] = []): Promise<number> {
    const changes = await this.#locked(() => this.#run(text, params));
    this.#committed();
    await this.#durable(false);
    return changes;
  }

  async insertMany(
    insert: string,
    rows: readonly (readonly SqlValue[])[],
    suffix = "",
  ): Promise<void> {
    await this.#locked(() => this.#insertMany(insert, rows, suffix));
    this.#committed();
    await this.#durable(false);
  }

  /**
   * A transaction that is not durable commits like any other (at NORMAL, in
   * WAL mode) but resolves without waiting for the flusher: the next durable
   * write's flush syncs the log up to and past it.
   */
  async transaction<T>(
    work: (tx: SqlTransaction) => Promise<T>,
    options: TransactionOptions = {},
  ): Promise<T> {
    let wrote = false;
    const result = await this.#locked(async () => {
      const effects: (() => void)[] = [];
      const tx: SqlTransaction = {
        all: async (text, params = []) => this.#all(text, params),
        values: async (text, params = []) => this.#values(text, params),
        run: async (text, params = []) => this.#run(text, params),
        insertMany: async (insert, rows, suffix = "") => this.#insertMany(insert, rows, suffix),
        afterCommit: (effect) => effects.push(effect),
      };
      this.#exec(this.#readOnly ? "BEGIN" : "BEGIN IMMEDIATE");
      const before = this.#changes;
      let result: T;
      try {
        result = await work(tx);
        wrote = this.#changes !== before;
        this.#exec("COMMIT");
      } catch (error) {
        if (this.#db.inTransaction) this.#db.exec("ROLLBACK");
        throw toStoreError(error, this.#where);
      }
      if (wrote) this.#committed();
      for (const effect of effects) effect();
      return result;
    });
    if (wrote && options.durable !== false) await this.#durable(options.pipelined ?? false);
    return result;
  }

  get file(): string | undefined {
    return this.#db.memory ? undefined : this.#db.name;
  }

  /** A read-only connection on the same file; undefined for an in-memory database, which no other connection can reach. */
  watchCommits(): CommitWatcher | undefined {
    if (this.#db.memory || this.#readOnly) return undefined;
    let db: BetterSqlite3.Database;
    try {
      db = new Database(this.#db.name, { readonly: true, fileMustExist: true });
      db.pragma("busy_timeout = 1000");
    } catch (error) {
      throw toStoreError(error, this.#where);
    }
    const version = db.prepare<[], number>("PRAGMA data_version").pluck();
    const writer = this.#db;
    const wal = writer.pragma("journal_mode", { simple: true }) === "wal";
    const othersVersion = writer.prepare<[], number>("PRAGMA data_version").pluck();
    const statements = new Map<string, Statement>();
    const where = this.#where;
    return {
      version: () => {
        try {
          return version.get() as number;
        } catch (error) {
          throw toStoreError(error, where);
        }
      },
      ownCommits: () => this.#commits,
      commitFile: wal ? `${writer.name}-wal` : writer.name,
      othersVersion: () => {
        if (writer.inTransaction) return undefined;
        try {
          return othersVersion.get() as number;
        } catch (error) {
          throw toStoreError(error, where);
        }
      },
      all: (text, params = []) => {
        try {
          let statement = statements.get(text);
          if (!statement) {
            statement = db.prepare<SqlValue[], SqlRow>(text);
            statements.set(text, statement);
          }
          return statement.all(...params);
        } catch (error) {
          throw toStoreError(error, where);
        }
      },
      close: () => db.close(),
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#lock;
    await this.#checkpointer?.close();
    await this.#flusher?.close();
    if (!this.#readOnly && !this.#db.memory) {
      try {
        // The last connection out leaves the file in rollback-journal mode, so a
        // copy reads anywhere, a read-only medium included; the next open turns WAL on.
        this.#db.pragma("busy_timeout = 0");
        this.#db.pragma("journal_mode = DELETE");
      } catch {
        // Another connection still has it open: it stays in WAL mode.
      }
    }
    this.#db.close();
    this.#onClose?.();
  }

  async #durable(pipelined: boolean): Promise<void> {
    try {
      await this.#flusher?.flush(pipelined);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const name = typeof code === "string" ? code : "fdatasync";
      const after = this.#flusher?.syncFailed
        ? " A sync of its log failed, so no later commit can be proven durable: check the disk, then reopen the store (restart the process)."
        : "";
      throw new WritError(
        "store.unavailable",
        `${this.#where} could not make a commit durable (${name}).${after}`,
        { name },
        error,
      );
    }
  }

  #committed(): void {
    this.#commits++;
    this.#checkpointer?.committed();
  }

  #locked<T>(work: () => T | Promise<T>): Promise<T> {
    const run = this.#lock.then(() => {
      if (this.#closed) throw new TypeError("This SQLite backend is closed.");
      return work();
    });
    this.#lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * The statement for `insert` with `width` values and `suffix`, found
   * without writing out its text: the ledger's runs for every batch, and its
   * text is a few hundred characters to join and hash each time.
   */
  #insertStatement(insert: string, width: number, suffix: string): Statement {
    let bySuffix = this.#inserts.get(insert);
    if (!bySuffix) {
      bySuffix = new Map();
      this.#inserts.set(insert, bySuffix);
    }
    const kept = bySuffix.get(suffix);
    if (kept?.width === width) return kept.statement;
    const statement = this.#statement(`${insert} VALUES (${placeholders(width)}) ${suffix}`);
    bySuffix.set(suffix, { width, statement });
    return statement;
  }

  #statement(text: string): Statement {
    let statement = this.#statements.get(text);
    if (!statement) {
      statement = this.#db.prepare<SqlValue[], SqlRow>(text);
      this.#statements.set(text, statement);
    }
    return statement;
  }

  #exec(text: string): void {
    try {
      this.#db.exec(text);
    } catch (error) {
      throw toStoreError(error, this.#where);
    }
  }

  #all(text: string, params: readonly SqlValue[]): SqlRow[] {
    try {
      const statement = this.#statement(text);
      const rows = statement.all(...params);
      // A statement that writes and returns rows does so with RETURNING: a row for each row changed.
      if (!statement.readonly) this.#changes += rows.length;
      return rows;
    } catch (error) {
      throw toStoreError(error, this.#where);
    }
  }

  #values(text: string, params: readonly SqlValue[]): unknown[][] {
    try {
      let statement = this.#rawStatements.get(text);
      if (!statement) {
        statement = this.#db.prepare<SqlValue[], unknown[]>(text).raw(true);
        this.#rawStatements.set(text, statement);
      }
      const rows = statement.all(...params);
      if (!statement.readonly) this.#changes += rows.length;
      return rows;
    } catch (error) {
      throw toStoreError(error, this.#where);
    }
  }

  #run(text: string, params: readonly SqlValue[]): number {
    try {
      const statement = this.#statement(text);
      const { changes } = statement.run(...params);
      // SQLite reports the last write's count for a statement that writes nothing (SAVEPOINT …).
      if (statement.readonly) return 0;
      this.#changes += changes;
      return changes;
    } catch (error) {
      throw toStoreError(error, this.#where);
    }
  }

  #insertMany(insert: string, rows: readonly (readonly SqlValue[])[], suffix: string): void {
    const width = rows[0]?.length ?? 0;
    if (width === 0) return;
    const statement = this.#insertStatement(insert, width, suffix);
    try {
      for (const row of rows) this.#changes += statement.run(...row).changes;
    } catch (error) {
      throw toStoreError(error, this.#where);
    }
  }
}

/** `?, ?, …` for `count` values; kept per count, since every insert asks again. */
export function placeholders(count: number): string {
  let text = PLACEHOLDERS[count];
  if (text === undefined) {
    text = Array.from({ length: count }, () => "?").join(", ");
    PLACEHOLDERS[count] = text;
  }
  return text;
}

const PLACEHOLDERS: string[] = [];
