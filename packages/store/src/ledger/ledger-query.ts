import type { LedgerPage, LedgerQuery, LedgerRecord } from "@writ/core/backend";
import type { SqlExecutor, SqlValue } from "../sql/sql-driver.js";
import type { StoreContext } from "../store-context.js";
import { LEDGER_SELECT, recordOf } from "./ledger-rows.js";

const FILTERS = [
  ["user", "user_id"],
  ["agent", "agent_id"],
  ["action", "action"],
  ["tool", "tool"],
  ["decision", "decision"],
  ["kind", "kind"],
  ["callId", "call_id"],
  ["tenant", "tenant_id"],
  ["chainId", "chain_id"],
] as const;

export const MAX_PAGE = 1000;

/** One page of ledger rows in (time, chain, seq) order, by keyset pagination: stable while rows are appended. */
export async function queryLedger(
  ctx: StoreContext,
  db: SqlExecutor,
  query: LedgerQuery = {},
): Promise<LedgerPage> {
  const limit = query.limit ?? 100;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new TypeError(
      `limit must be a whole number from 1 to ${MAX_PAGE}, got ${String(limit)}.`,
    );
  }
  const order = query.order ?? "asc";
  if (order !== "asc" && order !== "desc") throw new TypeError('order must be "asc" or "desc".');
  const where: string[] = [];
  const params: SqlValue[] = [];
  for (const [option, column] of FILTERS) {
    const value = query[option];
    if (value === undefined) continue;
    if (typeof value !== "string")
      throw new TypeError(`The ledger filter "${option}" must be a string.`);
    where.push(`${column} = ?`);
    params.push(value);
  }
  if (query.withoutOutcome !== undefined) {
    if (typeof query.withoutOutcome !== "boolean")
      throw new TypeError('The ledger filter "withoutOutcome" must be true or false.');
    if (query.withoutOutcome) {
      const ledger = ctx.tables.ledger;
      where.push(
        `kind = 'decision' AND decision = 'allow' AND NOT EXISTS (SELECT 1 FROM ${ledger} outcome WHERE outcome.call_id = ${ledger}.call_id AND outcome.kind = 'outcome')`,
      );
    }
  }
  for (const [option, operator] of [
    ["from", ">="],
    ["to", "<"],
  ] as const) {
    const value = query[option];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value))
      throw new TypeError(`The ledger filter "${option}" must be epoch milliseconds.`);
    where.push(`time ${operator} ?`);
    params.push(value);
  }
  if (query.cursor !== undefined) {
    const [time, chainId, seq] = decodeCursor(query.cursor);
    const after = order === "asc" ? ">" : "<";
    where.push(
      `(time ${after} ? OR (time = ? AND (chain_id ${after} ? OR (chain_id = ? AND seq ${after} ?))))`,
    );
    params.push(time, time, chainId, chainId, seq);
  }
  const direction = order === "asc" ? "ASC" : "DESC";
  const rows = await db.all(
    `SELECT ${LEDGER_SELECT} FROM ${ctx.tables.ledger} ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
     ORDER BY time ${direction}, chain_id ${direction}, seq ${direction} LIMIT ?`,
    [...params, limit],
  );
  const records = rows.map(recordOf);
  const last = records[records.length - 1];
  return records.length === limit && last
    ? { records, nextCursor: encodeCursor(last) }
    : { records };
}

function encodeCursor(record: LedgerRecord): string {
  return Buffer.from(JSON.stringify([record.time, record.chainId, record.seq])).toString(
    "base64url",
  );
}

function decodeCursor(cursor: string): [number, string, number] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (
      Array.isArray(value) &&
      value.length === 3 &&
      Number.isSafeInteger(value[0]) &&
      typeof value[1] === "string" &&
      Number.isSafeInteger(value[2])
    ) {
      return value as [number, string, number];
    }
  } catch {
    // reported below
  }
  throw new TypeError("Invalid ledger cursor: pass the nextCursor of the previous page unchanged.");
}
