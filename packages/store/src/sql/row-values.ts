import { WritError } from "@writ/core";
import type { SqlRow } from "./sql-driver.js";

function corrupt(column: string, expected: string): WritError {
  return new WritError(
    "store.corrupt",
    `Column "${column}" does not hold ${expected}; the database was changed outside Writ.`,
    {
      name: column,
    },
  );
}

/** A text column's value. */
export function text(row: SqlRow, column: string): string {
  const value = row[column];
  if (typeof value !== "string") throw corrupt(column, "text");
  return value;
}

export function optionalText(row: SqlRow, column: string): string | null {
  return row[column] === null || row[column] === undefined ? null : text(row, column);
}

/** A 64-bit integer column: node-postgres hands int8 over as a string, PGlite and SQLite as numbers. */
export function integer(row: SqlRow, column: string): number {
  const value = row[column];
  const number = typeof value === "string" || typeof value === "bigint" ? Number(value) : value;
  if (typeof number !== "number" || !Number.isSafeInteger(number))
    throw corrupt(column, "an integer");
  return number;
}

export function optionalInteger(row: SqlRow, column: string): number | null {
  return row[column] === null || row[column] === undefined ? null : integer(row, column);
}

export function optionalReal(row: SqlRow, column: string): number | null {
  const value = row[column];
  if (value === null || value === undefined) return null;
  const number = typeof value === "string" ? Number(value) : value;
  if (typeof number !== "number" || !Number.isFinite(number)) throw corrupt(column, "a number");
  return number;
}

/** A JSON text column, parsed. */
export function json(row: SqlRow, column: string): unknown {
  try {
    return JSON.parse(text(row, column));
  } catch (error) {
    if (error instanceof WritError) throw error;
    throw corrupt(column, "JSON");
  }
}

export function optionalJson(row: SqlRow, column: string): unknown {
  return row[column] === null || row[column] === undefined ? null : json(row, column);
}
