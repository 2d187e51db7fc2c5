import { type SQL, sql } from "drizzle-orm";
import type { PgTransactionConfig } from "drizzle-orm/pg-core";
import type { SqlDriver, SqlExecutor, SqlRow, SqlTransaction, SqlValue } from "./sql-driver.js";
import { toStoreError } from "./store-errors.js";

/** What the driver needs of a drizzle Postgres database: node-postgres and PGlite both fit. */
export interface DrizzlePostgres {
  execute(query: SQL): PromiseLike<unknown>;
  transaction<T>(
    work: (tx: { execute(query: SQL): PromiseLike<unknown> }) => Promise<T>,
    config?: PgTransactionConfig,
  ): Promise<T>;
}

/** A connection checked out for one transaction; `release(true)` discards a broken one. */
export interface CheckedOutConnection {
  readonly db: { execute(query: SQL): PromiseLike<unknown> };
  release(broken: boolean): void;
}

interface QueryOutcome {
  readonly rows?: readonly SqlRow[];
  readonly rowCount?: number | null;
  readonly affectedRows?: number;
}

/** Postgres caps bind parameters at 65,535 per statement. */
const MAX_PARAMETERS = 60_000;

/**
 * A drizzle Postgres database (node-postgres or PGlite) behind the async
 * driver interface. SQL is written once with `?` placeholders; drizzle
 * renders them as `$n` and binds the values.
 */
export class PostgresDriver implements SqlDriver {
  readonly dialect = "postgres";
  readonly multiStatement: boolean;
  readonly #db: DrizzlePostgres;
  readonly #where: string;
  readonly #onClose: () => Promise<void>;
  readonly #connect: (() => Promise<CheckedOutConnection>) | undefined;

  /**
   * `multiStatement`: node-postgres sends a query without parameters as a
   * simple query, which may hold several statements; PGlite does not.
   * `connect`: where transactions come from a pool, how to check out one
   * connection (else drizzle's own transaction is used).
   */
  constructor(
    db: DrizzlePostgres,
    where: string,
    options: {
      readonly onClose: () => Promise<void>;
      readonly multiStatement: boolean;
      readonly connect?: () => Promise<CheckedOutConnection>;
    },
  ) {
    this.#db = db;
    this.#where = where;
    this.#onClose = options.onClose;
    this.multiStatement = options.multiStatement;
    this.#connect = options.connect;
  }

  all(text: string, params: readonly SqlValue[] = []): Promise<SqlRow[]> {
    return executor(this.#db, this.#where).all(text, params);
  }

  run(text: string, params: readonly SqlValue[] = []): Promise<number> {
    return executor(this.#db, this.#where).run(text, params);
  }

  insertMany(insert: string, rows: readonly (readonly SqlValue[])[], suffix = ""): Promise<void> {
    return executor(this.#db, this.#where).insertMany(insert, rows, suffix);
  }

  async transaction<T>(
    work: (tx: SqlTransaction) => Promise<T>,
    options: { readonly snapshot?: boolean } = {},
  ): Promise<T> {
    const effects: (() => void)[] = [];
    const wrap = (db: { execute(query: SQL): PromiseLike<unknown> }): SqlTransaction => ({
      ...executor(db, this.#where),
      afterCommit: (effect) => effects.push(effect),
    });
    let result: T;
    try {
      result = this.#connect
        ? await this.#pooledTransaction(this.#connect, wrap, work, options)
        : await this.#db.transaction(
            (tx) => work(wrap(tx)),
            options.snapshot
              ? { isolationLevel: "repeatable read", accessMode: "read only" }
              : undefined,
          );
    } catch (error) {
      throw toStoreError(error, this.#where);
    }
    for (const effect of effects) effect();
    return result;
  }

  /** BEGIN … COMMIT on one pooled connection, which goes back to the pool however the transaction ends (or is discarded if broken). */
  async #pooledTransaction<T>(
    connect: () => Promise<CheckedOutConnection>,
    wrap: (db: { execute(query: SQL): PromiseLike<unknown> }) => SqlTransaction,
    work: (tx: SqlTransaction) => Promise<T>,
    options: { readonly snapshot?: boolean },
  ): Promise<T> {
    const connection = await connect();
    const tx = wrap(connection.db);
    let broken = false;
    try {
      await tx.run(options.snapshot ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN");
      const result = await work(tx);
      await tx.run("COMMIT");
      return result;
    } catch (error) {
      await tx.run("ROLLBACK").catch(() => {
        broken = true; // a connection that cannot even roll back is not reused
      });
      throw error;
    } finally {
      connection.release(broken);
    }
  }

  close(): Promise<void> {
    return this.#onClose();
  }
}

function executor(db: { execute(query: SQL): PromiseLike<unknown> }, where: string): SqlExecutor {
  const execute = async (text: string, params: readonly SqlValue[]): Promise<QueryOutcome> => {
    try {
      return (await db.execute(bind(text, params))) as QueryOutcome;
    } catch (error) {
      throw toStoreError(error, where);
    }
  };
  return {
    all: async (text, params = []) => [...((await execute(text, params)).rows ?? [])],
    run: async (text, params = []) => {
      const outcome = await execute(text, params);
      return outcome.rowCount ?? outcome.affectedRows ?? 0;
    },
    insertMany: async (insert, rows, suffix = "") => {
      const width = rows[0]?.length ?? 0;
      if (width === 0) return;
      const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / width));
      for (let start = 0; start < rows.length; start += perStatement) {
        const chunk = rows.slice(start, start + perStatement);
        const values = chunk
          .map(() => `(${Array.from({ length: width }, () => "?").join(", ")})`)
          .join(", ");
        await execute(`${insert} VALUES ${values} ${suffix}`, chunk.flat());
      }
    },
  };
}

/** Builds a drizzle SQL object from `?`-placeholder text; the SQL Writ writes never has `?` inside literals. */
function bind(text: string, params: readonly SqlValue[]): SQL {
  const parts = text.split("?");
  if (parts.length - 1 !== params.length) {
    throw new TypeError(
      `SQL has ${parts.length - 1} placeholders but ${params.length} values were given.`,
    );
  }
  const query = sql.empty();
  parts.forEach((part, index) => {
    query.append(sql.raw(part));
    if (index < params.length) query.append(sql`${params[index]}`);
  });
  return query;
}
