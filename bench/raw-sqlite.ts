/**
 * A plain better-sqlite3 connection for the floors of the SQLite rows: the
 * store's own driver, not a dependency of the bench, in WAL mode at the
 * synchronous level the subject runs at.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

export interface RawSqlite {
  pragma(source: string): unknown;
  exec(source: string): void;
  prepare(source: string): {
    run(...values: unknown[]): unknown;
    all(...values: unknown[]): Record<string, unknown>[];
    raw(): { iterate(): IterableIterator<unknown[]> };
  };
  close(): void;
}

const storeRequire = createRequire(fileURLToPath(import.meta.resolve("@writ/store")));
const BetterSqlite3 = storeRequire("better-sqlite3") as new (
  path: string,
  options?: { readonly?: boolean },
) => RawSqlite;

export function openRawSqlite(path: string, synchronous: "full" | "normal"): RawSqlite {
  const db = new BetterSqlite3(path);
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
  return db;
}

/** The same connection, read-only, on a file a store wrote. */
export function openRawSqliteReadOnly(path: string): RawSqlite {
  return new BetterSqlite3(path, { readonly: true });
}
