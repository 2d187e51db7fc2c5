import { chmodSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { systemClock, systemRandom } from "@writ/core";
import Database from "better-sqlite3";
import { InProcessLiveFeed } from "./live/in-process-live-feed.js";
import { applyMigrations } from "./migrations/apply-migrations.js";
import { SqliteDriver } from "./sql/sqlite-driver.js";
import { toStoreError } from "./sql/store-errors.js";
import { WalFlusher } from "./sql/wal-flusher.js";
import { StoreBackend } from "./store-backend.js";
import { tableNames } from "./store-context.js";
import { positiveInteger, type StoreOptions } from "./store-options.js";

export interface SqliteBackendOptions extends StoreOptions {
  /**
   * The database file. Default `./.writ/writ.db` (the folder is created, owner-only).
   * `":memory:"` keeps everything in memory, for tests.
   */
  readonly path?: string;
  /**
   * How hard a commit waits for the disk. "full" (default): a ledger row is on
   * disk before its append resolves, even across a power cut; the wait for the
   * disk happens off the event loop, shared by the commits made meanwhile.
   * "normal": it survives a crash of the process but not of the machine; faster.
   */
  readonly synchronous?: "full" | "normal";
  /** How long a write waits for another connection's lock before failing with store.unavailable, in ms. Default 5000. */
  readonly busyTimeoutMs?: number;
}

export const DEFAULT_SQLITE_PATH = "./.writ/writ.db";

/**
 * Opens (creating and migrating as needed) an embedded SQLite store: WAL
 * journal, durable commits, and an in-process live feed. One process per
 * file: guards in other processes would not see its changes live; use
 * postgresBackend() for several processes.
 */
export async function sqliteBackend(options: SqliteBackendOptions = {}): Promise<StoreBackend> {
  const path = options.path ?? DEFAULT_SQLITE_PATH;
  if (typeof path !== "string" || path.length === 0)
    throw new TypeError('path must be a file path or ":memory:".');
  const synchronous = options.synchronous ?? "full";
  if (synchronous !== "full" && synchronous !== "normal")
    throw new TypeError('synchronous must be "full" or "normal".');
  const inMemory = path === ":memory:";
  const where = inMemory ? "The in-memory SQLite database" : `The SQLite database ${path}`;
  if (!inMemory) mkdirSync(dirname(resolve(path)), { recursive: true, mode: 0o700 });
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (error) {
    throw toStoreError(error, where);
  }
  let driver: SqliteDriver;
  try {
    // The file holds the issuer's private keys: owner-only, like any key file.
    if (!inMemory) chmodSync(path, 0o600);
    const wal = db.pragma("journal_mode = WAL", { simple: true }) === "wal";
    // FULL's fsync of the WAL runs on the thread pool after a NORMAL commit rather than blocking every guard.
    const flusher =
      synchronous === "full" && wal && !inMemory ? new WalFlusher(resolve(path)) : undefined;
    db.pragma(`synchronous = ${flusher === undefined ? synchronous.toUpperCase() : "NORMAL"}`);
    driver = new SqliteDriver(db, where, flusher);
    db.pragma(`busy_timeout = ${positiveInteger(options.busyTimeoutMs, 5000, "busyTimeoutMs")}`);
    await applyMigrations(driver, { apply: true, where });
  } catch (error) {
    db.close();
    throw toStoreError(error, where);
  }
  const clock = options.clock ?? systemClock;
  return new StoreBackend(
    {
      driver,
      tables: tableNames(undefined),
      clock,
      random: options.random ?? systemRandom,
      where,
      channel: "",
    },
    (log) => new InProcessLiveFeed(driver, log),
    { ...options, clock },
  );
}
