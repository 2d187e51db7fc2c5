import { WritError } from "@writ/core";

const SQLITE_CORRUPT = new Set([
  "SQLITE_NOTADB",
  "SQLITE_CORRUPT",
  "SQLITE_CORRUPT_INDEX",
  "SQLITE_CORRUPT_SEQUENCE",
]);
const SQLITE_UNAVAILABLE = /^SQLITE_(CANTOPEN|IOERR|BUSY|LOCKED|FULL|PROTOCOL|NOLFS|AUTH)/;
const NODE_NETWORK = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "EAI_AGAIN",
]);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * Turns a driver failure that means "the store cannot be used" into a
 * WritError with a stable code; anything else (a constraint, a bug) is
 * returned as it is. `where` names the store without secrets (never a URL
 * with its password).
 */
export function toStoreError(error: unknown, where: string): unknown {
  if (error instanceof WritError) return error;
  const code = codeOf(error);
  if (code !== undefined && SQLITE_CORRUPT.has(code)) {
    return new WritError(
      "store.corrupt",
      `${where} is not a usable SQLite database (${code}): restore it from a backup (see “Backups” in the @writ/store README), or point the backend at another file. It is never replaced by a new store.`,
      { name: code },
      error,
    );
  }
  if (code?.startsWith("SQLITE_READONLY") || code === "EROFS") {
    return new WritError(
      "store.read_only",
      `${where} is read-only (${code}): the change was refused. Open it for reading only to read it.`,
      { name: code },
      error,
    );
  }
  if (
    code !== undefined &&
    (SQLITE_UNAVAILABLE.test(code) || NODE_NETWORK.has(code) || /^(08|53|57P)/.test(code))
  ) {
    return new WritError(
      "store.unavailable",
      `${where} is unavailable (${code}).`,
      { name: code },
      error,
    );
  }
  const message = error instanceof Error ? error.message : "";
  if (
    /Connection terminated|connection timeout|Client has encountered a connection error|not queryable|Client was closed/i.test(
      message,
    )
  ) {
    return new WritError(
      "store.unavailable",
      `${where} is unavailable (connection lost).`,
      {},
      error,
    );
  }
  return error;
}
