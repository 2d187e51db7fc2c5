import { MAX_PAGE_SIZE, type Page } from "@writ/core/backend";

/** The page size asked for, checked (caller misuse is a TypeError). */
export function pageLimit(limit: number | undefined): number {
  const value = limit ?? 100;
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw new TypeError(
      `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${String(limit)}.`,
    );
  }
  return value;
}

type CursorValue = string | number;
type CursorShape = readonly ("string" | "number")[];
type ValuesOf<S extends CursorShape> = {
  -readonly [K in keyof S]: S[K] extends "string" ? string : number;
};

/** An opaque cursor holding the sort key of the last item of a page. */
export function encodeCursor(values: readonly CursorValue[]): string {
  return Buffer.from(JSON.stringify(values)).toString("base64url");
}

/** The sort key a cursor holds, checked against the list's key shape. */
export function decodeCursor<const S extends CursorShape>(cursor: string, shape: S): ValuesOf<S> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    value = undefined;
  }
  if (
    !Array.isArray(value) ||
    value.length !== shape.length ||
    value.some((item, index) =>
      shape[index] === "number" ? !Number.isSafeInteger(item) : typeof item !== "string",
    )
  ) {
    throw new TypeError("Invalid cursor: pass the nextCursor of the previous page unchanged.");
  }
  return value as ValuesOf<S>;
}

/**
 * A page from `limit + 1` rows read in order: the extra row only tells that
 * more follow, so the last page never carries a cursor to an empty one.
 */
export function pageOf<T>(
  rows: readonly T[],
  limit: number,
  keyOf: (last: T) => readonly CursorValue[],
): Page<T> {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, nextCursor: encodeCursor(keyOf(items[limit - 1] as T)) };
}
