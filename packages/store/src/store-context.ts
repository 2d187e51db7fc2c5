import type { Clock, RandomSource } from "@writ/core";
import { quoteIdentifier } from "./migrations/apply-migrations.js";
import { TABLE_SPECS, type TableName } from "./schema/table-specs.js";
import type { SqlDriver } from "./sql/sql-driver.js";

export type TableNames = Readonly<Record<TableName, string>>;

/** What every part of a store shares: its driver, its table names, time and randomness. */
export interface StoreContext {
  readonly driver: SqlDriver;
  readonly tables: TableNames;
  readonly clock: Clock;
  readonly random: RandomSource;
  /** Names the store in errors without secrets. */
  readonly where: string;
  /** Postgres: the NOTIFY channel of this schema's live feed. */
  readonly channel: string;
  /** Opened for reading only: the store makes no change, and refuses every one with store.read_only. */
  readonly readOnly: boolean;
}

/** Table names as SQL: schema-qualified on Postgres, so several Writ schemas can share one database. */
export function tableNames(schema: string | undefined): TableNames {
  const prefix = schema === undefined ? "" : `${quoteIdentifier(schema)}.`;
  return Object.fromEntries(
    Object.entries(TABLE_SPECS).map(([key, spec]) => [key, `${prefix}${spec.name}`]),
  ) as Record<TableName, string>;
}
