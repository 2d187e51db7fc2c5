import { systemClock, systemRandom } from "@writ/core";
import { type Listen, NotifyLiveFeed } from "../live/notify-live-feed.js";
import { applyMigrations } from "../migrations/apply-migrations.js";
import type { SqlDriver } from "../sql/sql-driver.js";
import { StoreBackend } from "../store-backend.js";
import { tableNames } from "../store-context.js";
import { positiveInteger, type StoreOptions } from "../store-options.js";

/** Options every Postgres-dialect store takes. */
export interface PostgresStoreOptions extends StoreOptions {
  /** The schema Writ's tables live in. Default "public". Lowercase letters, digits and _. */
  readonly schema?: string;
  /**
   * Apply pending migrations on open (default true; needs a role that may
   * create in the schema). With false, opening only checks that the schema is
   * exactly current: for writer roles that cannot change it (grantPostgresWriter).
   */
  readonly migrate?: boolean;
  /** How often the live feed proves it is alive, in ms. Default 500; guards fail closed after 2000 ms of silence. */
  readonly heartbeatMs?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,47}$/;

export function checkSchemaName(schema: string | undefined): string {
  const name = schema ?? "public";
  if (typeof name !== "string" || !SCHEMA_NAME.test(name)) {
    throw new TypeError(
      "schema must be 1–48 characters of lowercase letters, digits and _, starting with a letter or _.",
    );
  }
  return name;
}

/** Migrates (or checks) a Postgres-dialect database and opens a store on it. */
export async function openPostgresStore(
  driver: SqlDriver,
  listen: Listen,
  where: string,
  options: PostgresStoreOptions,
): Promise<StoreBackend> {
  const schema = checkSchemaName(options.schema);
  const heartbeatMs = positiveInteger(options.heartbeatMs, 500, "heartbeatMs");
  try {
    await applyMigrations(driver, { apply: options.migrate ?? true, schema, where });
  } catch (error) {
    await driver.close().catch(() => undefined);
    throw error;
  }
  const clock = options.clock ?? systemClock;
  const tables = tableNames(schema);
  const channel = `writ_live_${schema}`;
  return new StoreBackend(
    {
      driver,
      tables,
      clock,
      random: options.random ?? systemRandom,
      where,
      channel,
      readOnly: false,
    },
    (log) =>
      new NotifyLiveFeed(driver, log, listen, {
        channel,
        counterTable: tables.liveCounter,
        heartbeatMs,
        clock,
      }),
    { ...options, clock },
  );
}
