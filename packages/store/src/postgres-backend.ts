import { WritError } from "@writ/core";
import type { Listen } from "./live/notify-live-feed.js";
import { quoteIdentifier } from "./migrations/apply-migrations.js";
import { openPostgresStore, type PostgresStoreOptions } from "./postgres/open-postgres-store.js";
import { PostgresDriver, pooledTransaction } from "./sql/postgres-driver.js";
import { toStoreError } from "./sql/store-errors.js";
import type { StoreBackend } from "./store-backend.js";

export interface PostgresBackendOptions extends PostgresStoreOptions {
  /** `postgres://user:password@host:port/database`. Never printed: errors name the host, port and database only. */
  readonly url: string;
  /** Connections in the pool (the live feed uses one more of its own). Default 10. */
  readonly poolSize?: number;
  /** How long to wait for a connection before failing with store.unavailable, in ms. Default 5000. */
  readonly connectTimeoutMs?: number;
}

/**
 * Opens a store on PostgreSQL: a connection pool for writes and reads, and a
 * dedicated LISTEN connection for the live feed, so guards in many processes
 * share one directory, one revocation list and one ledger (a chain per
 * writer). Fails with store.unavailable when the server cannot be reached.
 */
export async function postgresBackend(options: PostgresBackendOptions): Promise<StoreBackend> {
  if (typeof options?.url !== "string")
    throw new TypeError("postgresBackend needs { url: 'postgres://…' }.");
  const where = describeServer(options.url);
  // Loaded on use: SQLite users (the writ command's start-up among them) never pay for pg.
  const { default: pg } = await import("pg");
  const connectionTimeoutMillis = options.connectTimeoutMs ?? 5000;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis,
  });
  // A connection dropping is not fatal: the query that needed it reports store.unavailable.
  // Checked-out clients need a listener too, or pg's "error" event would crash the process.
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  const driver = new PostgresDriver(pool, where, {
    transaction: pooledTransaction(() => pool.connect()),
    onClose: () => pool.end(),
    multiStatement: true,
  });
  const listen: Listen = async (channel, onNotify, onLost) => {
    const client = new pg.Client({ connectionString: options.url, connectionTimeoutMillis });
    let open = true;
    const lost = (error: Error) => {
      if (!open) return;
      open = false;
      onLost(error);
    };
    client.on("error", lost);
    client.on("end", () => lost(new Error("The live feed's connection ended.")));
    client.on("notification", (message) => {
      if (message.channel === channel) onNotify(message.payload ?? "");
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdentifier(channel)}`);
    } catch (error) {
      open = false;
      await client.end().catch(() => undefined);
      throw toStoreError(error, where);
    }
    return {
      query: async (text) => (await client.query(text)).rows,
      close: async () => {
        open = false;
        await client.end();
      },
    };
  };
  try {
    return await openPostgresStore(driver, listen, where, options);
  } catch (error) {
    const failure = toStoreError(error, where);
    if (failure instanceof WritError) throw failure;
    throw new WritError("store.unavailable", `${where} could not be opened.`, {}, error);
  }
}

/** host:port/database, for messages: never the user or password. */
function describeServer(url: string): string {
  try {
    const parsed = new URL(url);
    return `PostgreSQL at ${parsed.hostname}:${parsed.port || "5432"}${parsed.pathname}`;
  } catch {
    throw new TypeError("url must be a postgres:// URL.");
  }
}
