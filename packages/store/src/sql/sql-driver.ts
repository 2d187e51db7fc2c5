/** A value bound to a `?` placeholder. Everything Writ stores is text or a number. */
export type SqlValue = string | number | null;

export type SqlRow = Readonly<Record<string, unknown>>;

/** Runs dialect-neutral SQL written with `?` placeholders. */
export interface SqlExecutor {
  all(text: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
  /** Like all(), each row as its values in SELECT order: for streaming many rows without building objects. */
  values(text: string, params?: readonly SqlValue[]): Promise<unknown[][]>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(text: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs one INSERT (without VALUES) for many rows: one statement per row on SQLite, multi-row VALUES on Postgres. */
  insertMany(
    insert: string,
    rows: readonly (readonly SqlValue[])[],
    suffix?: string,
  ): Promise<void>;
}

export interface SqlTransaction extends SqlExecutor {
  /** Runs `effect` synchronously right after COMMIT, before the next transaction can start (SQLite) or anyway after commit. */
  afterCommit(effect: () => void): void;
}

export interface TransactionOptions {
  /** A consistent read of several tables (repeatable read on Postgres). */
  readonly snapshot?: boolean;
  /**
   * false: the commit need not reach the disk before it resolves (SQLite's
   * WAL flush is not awaited; Postgres's synchronous_commit off). It is atomic
   * and isolated as any other, and durable once any later durable commit is,
   * since both logs are written in order: for a write that only matters if a
   * durable write follows it (a budget reservation before its decision row).
   */
  readonly durable?: boolean;
  /**
   * More writes wait behind this one: where the driver makes commits durable
   * itself (SQLite's WAL flush), it does so off the event loop, so they
   * commit while this one syncs. A lone commit syncs at once, on the caller's
   * thread, which is quicker for it.
   */
  readonly pipelined?: boolean;
}

/**
 * A second, read-only connection that sees what every other connection
 * commits (SQLite: other processes, and this store's own writes), read
 * synchronously so a guard can catch up inside a decision.
 */
export interface CommitWatcher {
  /** Changes whenever another connection commits (SQLite's PRAGMA data_version). */
  version(): number;
  /**
   * The store's own writing connection's data_version, which moves only when a
   * connection other than it commits: while it stands still, nothing but this
   * store's own commits reached the file. Undefined while that connection is
   * in a transaction, whose snapshot could hide another's commit.
   */
  othersVersion(): number | undefined;
  /**
   * How many writes the store's own writing connection has committed since it
   * opened: a file change that comes with a new one is that connection's own
   * (and perhaps another's too).
   */
  ownCommits(): number;
  /** The file every commit writes (the WAL; the database itself without one): where the file system announces commits. */
  readonly commitFile: string;
  all(text: string, params?: readonly SqlValue[]): SqlRow[];
  close(): void;
}

export interface SqlDriver extends SqlExecutor {
  readonly dialect: "sqlite" | "postgres";
  /** run() accepts several statements separated by ";" (no placeholders): migrations go in one round trip. */
  readonly multiStatement: boolean;
  transaction<T>(
    work: (tx: SqlTransaction) => Promise<T>,
    options?: TransactionOptions,
  ): Promise<T>;
  /** A commit watcher on the same database, where other processes can write it without a server (SQLite files). */
  watchCommits?(): CommitWatcher | undefined;
  /** The database file, where other connections can open it (a SQLite file: verification's worker threads read it, the live feed watches its folder); undefined otherwise. */
  readonly file?: string | undefined;
  close(): Promise<void>;
}
