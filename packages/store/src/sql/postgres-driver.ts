import type {
  SqlDriver,
  SqlExecutor,
  SqlRow,
  SqlTransaction,
  SqlValue,
  TransactionOptions,
} from "./sql-driver.js";
import { toStoreError } from "./store-errors.js";

/** What the driver needs of a Postgres connection: a node-postgres pool or client, or PGlite, all fit. */
export interface PostgresQueryable {
  query(
    text: string,
    params?: SqlValue[],
  ): PromiseLike<{
    readonly rows: readonly SqlRow[];
    /** node-postgres */
    readonly rowCount?: number | null;
    /** PGlite */
    readonly affectedRows?: number;
  }>;
}

/** Runs `work` inside BEGIN … COMMIT on one connection, rolling back if it throws. */
export type PostgresTransaction = <T>(
  work: (connection: PostgresQueryable) => Promise<T>,
) => Promise<T>;

/** Postgres caps bind parameters at 65,535 per statement. */
const MAX_PARAMETERS = 60_000;

/**
 * A Postgres database (node-postgres or PGlite) behind the async driver
 * interface. SQL is written once with `?` placeholders and numbered `$n`
 * here, with the values bound by the database client.
 */
export class PostgresDriver implements SqlDriver {
  readonly dialect = "postgres";
  readonly multiStatement: boolean;
  readonly #db: SqlExecutor;
  readonly #where: string;
  readonly #transaction: PostgresTransaction;
  readonly #onClose: () => Promise<void>;

  /**
   * `multiStatement`: node-postgres sends a query without parameters as a
   * simple query, which may hold several statements; PGlite does not.
   * `transaction`: how the client runs one transaction on one connection.
   */
  constructor(
    db: PostgresQueryable,
    where: string,
    options: {
      readonly transaction: PostgresTransaction;
      readonly onClose: () => Promise<void>;
      readonly multiStatement: boolean;
    },
  ) {
    this.#db = executor(db, where);
    this.#where = where;
    this.#transaction = options.transaction;
    this.#onClose = options.onClose;
    this.multiStatement = options.multiStatement;
  }

  all(text: string, params: readonly SqlValue[] = []): Promise<SqlRow[]> {
    return this.#db.all(text, params);
  }

  values(text: string, params: readonly SqlValue[] = []): Promise<unknown[][]> {
    return this.#db.values(text, params);
  }

  run(text: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.#db.run(text, params);
  }

  insertMany(insert: string, rows: readonly (readonly SqlValue[])[], suffix = ""): Promise<void> {
    return this.#db.insertMany(insert, rows, suffix);
  }

  async transaction<T>(
    work: (tx: SqlTransaction) => Promise<T>,
    options: TransactionOptions = {},
  ): Promise<T> {
    const effects: (() => void)[] = [];
    let result: T;
    try {
      result = await this.#transaction(async (connection) => {
        const tx: SqlTransaction = {
          ...executor(connection, this.#where),
          afterCommit: (effect) => effects.push(effect),
        };
        if (options.snapshot)
          await tx.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        if (options.durable === false) await tx.run("SET LOCAL synchronous_commit = off");
        return work(tx);
      });
    } catch (error) {
      throw toStoreError(error, this.#where);
    }
    for (const effect of effects) effect();
    return result;
  }

  close(): Promise<void> {
    return this.#onClose();
  }
}

/**
 * A node-postgres pool's transactions: BEGIN … COMMIT on one checked-out
 * connection, which goes back to the pool however the transaction ends, or
 * is discarded when it cannot even roll back.
 */
export function pooledTransaction(
  connect: () => Promise<PostgresQueryable & { release(broken?: boolean): void }>,
): PostgresTransaction {
  return async (work) => {
    const connection = await connect();
    let broken = false;
    try {
      await connection.query("BEGIN");
      const result = await work(connection);
      await connection.query("COMMIT");
      return result;
    } catch (error) {
      await Promise.resolve(connection.query("ROLLBACK")).catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      connection.release(broken || undefined);
    }
  };
}

function executor(db: PostgresQueryable, where: string): SqlExecutor {
  const query = async (text: string, params: readonly SqlValue[]) => {
    try {
      return await db.query(text, [...params]);
    } catch (error) {
      throw toStoreError(error, where);
    }
  };
  return {
    all: async (text, params = []) => [
      ...(await query(numberPlaceholders(text, params.length), params)).rows,
    ],
    // Rows come back as objects whose members keep the SELECT's order.
    values: async (text, params = []) =>
      (await query(numberPlaceholders(text, params.length), params)).rows.map((row) =>
        Object.values(row),
      ),
    run: async (text, params = []) => {
      const outcome = await query(numberPlaceholders(text, params.length), params);
      return outcome.rowCount ?? outcome.affectedRows ?? 0;
    },
    insertMany: async (insert, rows, suffix = "") => {
      const width = rows[0]?.length ?? 0;
      if (width === 0) return;
      const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / width));
      for (let start = 0; start < rows.length; start += perStatement) {
        const chunk = rows.slice(start, start + perStatement);
        await query(
          `${insert} VALUES ${numberedValues(chunk.length, width)} ${suffix}`,
          chunk.flat(),
        );
      }
    },
  };
}

/** `($1, $2), ($3, $4)` for 2 rows of 2 values. */
function numberedValues(rows: number, width: number): string {
  const tuples: string[] = [];
  for (let row = 0; row < rows; row++) {
    const values: string[] = [];
    for (let column = 1; column <= width; column++) values.push(`$${row * width + column}`);
    tuples.push(`(${values.join(", ")})`);
  }
  return tuples.join(", ");
}

/** Turns `?` placeholders into Postgres's `$1, $2 …`; the SQL Writ writes never has `?` inside literals. */
export function numberPlaceholders(text: string, count: number): string {
  const parts = text.split("?");
  if (parts.length - 1 !== count) {
    throw new TypeError(`SQL has ${parts.length - 1} placeholders but ${count} values were given.`);
  }
  let numbered = parts[0] as string;
  for (let index = 1; index < parts.length; index++) numbered += `$${index}${parts[index]}`;
  return numbered;
}
