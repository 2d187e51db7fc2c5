import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { WritError } from "@writ/core";
import Database from "better-sqlite3";
import { SqliteDriver } from "./sqlite-driver.js";
import { toStoreError } from "./store-errors.js";
import { WalCheckpointer } from "./wal-checkpointer.js";
import { WalFlusher } from "./wal-flusher.js";

export interface OpenSqliteOptions {
  /** true: reading only; "auto": read-write unless the file or its file system is read-only; false: read-write or store.read_only. */
  readonly readOnly: boolean | "auto";
  /** Create the file when it does not exist (else store.missing). */
  readonly create: boolean;
  readonly synchronous: "full" | "normal";
  readonly busyTimeoutMs: number;
  /** Names the store in errors. */
  readonly where: string;
}

export interface OpenedSqlite {
  readonly driver: SqliteDriver;
  readonly readOnly: boolean;
}

/** SQLite's wal_autocheckpoint default, in pages. */
const DEFAULT_AUTOCHECKPOINT = 1000;

/** Where the connection checkpoints by itself while the worker does the job: a backstop, in pages (32 MiB). */
const BACKSTOP_AUTOCHECKPOINT = 8 * DEFAULT_AUTOCHECKPOINT;

/** Where operators find how to restore a store: the store README's backups section. */
export const BACKUPS_HELP = "restore it from a backup (see “Backups” in the @writ/store README)";

/**
 * Opens a SQLite store file, refusing what must never be silently replaced:
 * an empty file, a file that is not a SQLite database (on first use, by the
 * driver), a missing file when `create` is off. A file that cannot be
 * written (permissions, a read-only file system, a read-only copy) opens for
 * reading only when asked to; one a read-only medium cannot hold the WAL
 * index for is read from a private temporary copy.
 */
export function openSqlite(path: string, options: OpenSqliteOptions): OpenedSqlite {
  const { where } = options;
  const exists = existsSync(path);
  if (!exists && (!options.create || options.readOnly === true)) {
    throw new WritError(
      "store.missing",
      `${where} does not exist: ${BACKUPS_HELP}. It is not created again here, since a new store would hold new issuer keys and an empty ledger.`,
    );
  }
  if (exists && statSync(path).size === 0) {
    throw new WritError(
      "store.corrupt",
      `${where} is an empty file, not a Writ store: ${BACKUPS_HELP}, or delete the empty file to create a new store there.`,
    );
  }
  const readOnly =
    options.readOnly === true || (exists && options.readOnly === "auto" && !writable(path));
  if (readOnly) return { driver: openReadOnly(path, where), readOnly: true };
  if (exists && !writable(path)) throw readOnlyStore(where);
  if (!exists) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let db: Database.Database;
  let flusher: WalFlusher | undefined;
  let checkpointer: WalCheckpointer | undefined;
  try {
    db = new Database(path);
  } catch (error) {
    throw toStoreError(error, where);
  }
  try {
    // The file holds the issuer's private keys: owner-only, like any key file.
    if (!exists) chmodSync(path, 0o600);
    db.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
    const wal = turnWalOn(db, options.busyTimeoutMs);
    // At FULL the flusher syncs the WAL after each NORMAL commit: in line for a lone one, on the thread pool while others wait.
    flusher = options.synchronous === "full" && wal ? new WalFlusher(path) : undefined;
    db.pragma(
      `synchronous = ${flusher === undefined ? options.synchronous.toUpperCase() : "NORMAL"}`,
    );
    if (wal) {
      const connection = db;
      // The worker copies the WAL back until it has caught up; this connection checkpoints
      // (on the thread that runs every guard) only should the WAL outgrow the backstop.
      connection.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT}`);
      checkpointer = new WalCheckpointer(path, {
        synchronous: options.synchronous,
        busyTimeoutMs: options.busyTimeoutMs,
        onFailure: () => connection.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`),
      });
    }
  } catch (error) {
    db.close();
    const failure = toStoreError(error, where);
    // A read-only file system shows only now, when SQLite first touches the file.
    if (options.readOnly === "auto" && cannotWrite(failure))
      return { driver: openReadOnly(path, where), readOnly: true };
    throw failure;
  }
  return {
    driver: new SqliteDriver(db, where, {
      readOnly: false,
      ...(flusher ? { flusher } : {}),
      ...(checkpointer ? { checkpointer } : {}),
    }),
    readOnly: false,
  };
}

/** Opens an in-memory database, for tests. */
export function openSqliteMemory(where: string): OpenedSqlite {
  return {
    driver: new SqliteDriver(new Database(":memory:"), where, { readOnly: false }),
    readOnly: false,
  };
}

function openReadOnly(path: string, where: string): SqliteDriver {
  const direct = tryReadOnly(path, where);
  if (direct) return direct;
  // A WAL database whose index file (-shm) cannot be created on this medium: read a copy.
  const folder = mkdtempSync(join(tmpdir(), "writ-readonly-"));
  const copy = join(folder, basename(path));
  try {
    copyFileSync(path, copy);
    if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw toStoreError(error, where);
  }
  const copied = tryReadOnly(copy, where, () => rmSync(folder, { recursive: true, force: true }));
  if (!copied) {
    rmSync(folder, { recursive: true, force: true });
    throw new WritError("store.unavailable", `${where} could not be opened for reading.`);
  }
  return copied;
}

function tryReadOnly(path: string, where: string, onClose?: () => void): SqliteDriver | undefined {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.prepare("SELECT 1 FROM sqlite_master LIMIT 1").all();
    return new SqliteDriver(db, where, { readOnly: true, ...(onClose ? { onClose } : {}) });
  } catch (error) {
    db?.close();
    const failure = toStoreError(error, where);
    if (isWritError(failure, "store.unavailable")) return undefined;
    throw failure;
  }
}

/** Whether the owner may write the file and its folder (mode bits: as a person sees a read-only copy, root included). */
function writable(path: string): boolean {
  return (statSync(path).mode & 0o200) !== 0 && (statSync(dirname(path)).mode & 0o200) !== 0;
}

function readOnlyStore(where: string): WritError {
  return new WritError(
    "store.read_only",
    `${where} is read-only (its file, folder or file system): changes are refused. Open it for reading only to read it.`,
  );
}

function isWritError(error: unknown, code: string): boolean {
  return error instanceof WritError && error.code === code;
}

function cannotWrite(error: unknown): boolean {
  return (
    isWritError(error, "store.read_only") ||
    (error instanceof WritError && error.details.name === "SQLITE_CANTOPEN")
  );
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/**
 * Puts the file in WAL mode, waiting up to `busyTimeoutMs` for a lock another
 * connection holds (another process opening the file, or closing it and
 * leaving it in rollback mode): SQLite refuses a journal mode change that
 * meets a lock at once, without its busy handler. False when the file
 * cannot use WAL (an in-memory database, or a file system without shared
 * memory).
 */
function turnWalOn(db: Database.Database, busyTimeoutMs: number): boolean {
  const deadline = Date.now() + busyTimeoutMs;
  for (let pauseMs = 1; ; pauseMs = Math.min(pauseMs * 2, 50)) {
    try {
      return db.pragma("journal_mode = WAL", { simple: true }) === "wal";
    } catch (error) {
      if ((error as { code?: unknown }).code !== "SQLITE_BUSY" || Date.now() >= deadline)
        throw error;
      // Opening is synchronous, as SQLite's own wait for a lock is.
      Atomics.wait(PAUSE, 0, 0, pauseMs);
    }
  }
}
