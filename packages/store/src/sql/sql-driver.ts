/** A value bound to a `?` placeholder. Everything Writ stores is text or a number. */
export type SqlValue = string | number | null;

export type SqlRow = Readonly<Record<string, unknown>>;

/** Runs dialect-neutral SQL written with `?` placeholders. */
export interface SqlExecutor {
  all(text: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
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
}

export interface SqlDriver extends SqlExecutor {
  readonly dialect: "sqlite" | "postgres";
  /** run() accepts several statements separated by ";" (no placeholders): migrations go in one round trip. */
  readonly multiStatement: boolean;
  transaction<T>(
    work: (tx: SqlTransaction) => Promise<T>,
    options?: TransactionOptions,
  ): Promise<T>;
  close(): Promise<void>;
}
