import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { systemClock, systemRandom } from "@writ/core";
import { EmbeddedLiveFeed } from "./live/embedded-live-feed.js";
import { applyMigrations } from "./migrations/apply-migrations.js";
import { findWritProject, PROJECT_DATABASE, PROJECT_FOLDER } from "./project/writ-project.js";
import { openSqlite, openSqliteMemory } from "./sql/open-sqlite.js";
import { toStoreError } from "./sql/store-errors.js";
import { StoreBackend } from "./store-backend.js";
import { tableNames } from "./store-context.js";
import { positiveInteger, type StoreOptions } from "./store-options.js";

export interface SqliteBackendOptions extends StoreOptions {
  /**
   * The database file. Default: the store of the Writ project this process
   * runs in, found as the `writ` command finds it (WRIT_DIR, else the nearest
   * `.writ/` folder here or above); without one, `./.writ/writ.db` is
   * created, with a warning naming where. `":memory:"` keeps everything in
   * memory, for tests.
   */
  readonly path?: string;
  /**
   * Whether a missing file may be created (default true). false refuses a
   * store that should exist with `store.missing`, rather than starting an
   * empty one with new issuer keys.
   */
  readonly create?: boolean;
  /**
   * Open for reading only: queries, verification and exports work on a
   * backup, a read-only copy or a read-only file system; every change fails
   * with `store.read_only`. "auto" opens read-write unless the file, its
   * folder or its file system is read-only. Default false: a read-only file
   * is refused with `store.read_only`.
   */
  readonly readOnly?: boolean | "auto";
  /**
   * How hard a commit waits for the disk. "full" (default): a ledger row is on
   * disk before its append resolves, even across a power cut; the wait for the
   * disk happens off the event loop, shared by the commits made meanwhile.
   * "normal": it survives a crash of the process but not of the machine; faster.
   */
  readonly synchronous?: "full" | "normal";
  /** How long opening the file, or a write, waits for another connection's lock before failing with store.unavailable, in ms. Default 5000. */
  readonly busyTimeoutMs?: number;
  /**
   * How often guards on this store look for changes other processes commit
   * to the file (the CLI, another app, `writ serve`), in ms, where the file
   * system cannot announce writes to it. Default 2. Where it can (local file
   * systems), a write wakes the guard at once and the look runs only every
   * 50 ms (or this, if longer) as a backstop. Each decision also looks (at
   * most once a millisecond) before it is made.
   */
  readonly commitPollMs?: number;
}

export const DEFAULT_SQLITE_PATH = `./${PROJECT_FOLDER}/${PROJECT_DATABASE}`;

/**
 * Opens (creating and migrating as needed) an embedded SQLite store: WAL
 * journal, durable commits, and a live feed that reaches guards in this
 * process at once and guards in other processes on the same file within
 * milliseconds (a commit watcher), without a server. An empty or damaged
 * file is refused (`store.corrupt`), never replaced.
 */
export async function sqliteBackend(options: SqliteBackendOptions = {}): Promise<StoreBackend> {
  if (options.path !== undefined && (typeof options.path !== "string" || options.path === ""))
    throw new TypeError('path must be a file path or ":memory:".');
  const synchronous = options.synchronous ?? "full";
  if (synchronous !== "full" && synchronous !== "normal")
    throw new TypeError('synchronous must be "full" or "normal".');
  const readOnly = options.readOnly ?? false;
  if (readOnly !== true && readOnly !== false && readOnly !== "auto")
    throw new TypeError('readOnly must be true, false or "auto".');
  const project = options.path === undefined ? projectDatabase() : undefined;
  const path = options.path ?? project?.path ?? DEFAULT_SQLITE_PATH;
  const inMemory = path === ":memory:";
  const where = inMemory ? "The in-memory SQLite database" : `The SQLite database ${path}`;
  const createdHere = !inMemory && options.path === undefined && !project && !existsSync(path);
  const opened = inMemory
    ? openSqliteMemory(where)
    : openSqlite(resolve(path), {
        readOnly,
        // A project that was set up (it has a config.json) never gets a new, empty store.
        create: options.create ?? !project?.configured,
        synchronous,
        busyTimeoutMs: positiveInteger(options.busyTimeoutMs, 5000, "busyTimeoutMs"),
        where,
      });
  const { driver } = opened;
  try {
    await applyMigrations(driver, { apply: !opened.readOnly, where });
  } catch (error) {
    await driver.close();
    throw toStoreError(error, where);
  }
  if (createdHere) {
    process.emitWarning(
      `Created a new Writ store at ${resolve(path)}: no Writ project (.writ/ with a store or config) was found here or above. If you meant an existing store, pass { path } or set WRIT_DIR.`,
      { code: "WRIT_NEW_STORE" },
    );
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
      readOnly: opened.readOnly,
    },
    (log, ctx) =>
      new EmbeddedLiveFeed(ctx, log, {
        pollMs: positiveInteger(options.commitPollMs, 2, "commitPollMs"),
      }),
    { ...options, clock },
  );
}

/** The store of the project this process runs in, if it is in one. */
function projectDatabase(): { readonly path: string; readonly configured: boolean } | undefined {
  const project = findWritProject();
  if (!project) return undefined;
  if (project.store.kind === "postgres") {
    throw new TypeError(
      `The Writ project at ${project.dir} keeps its store in PostgreSQL (its config.json says so): open it with postgresBackend(), or pass sqliteBackend() a path.`,
    );
  }
  return { path: project.store.path, configured: project.configured };
}
