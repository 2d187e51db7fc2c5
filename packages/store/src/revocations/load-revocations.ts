import type { Revocation, RevocationKind } from "@writ/core";
import { integer, optionalText, text } from "../sql/row-values.js";
import type { SqlExecutor, SqlRow } from "../sql/sql-driver.js";
import type { StoreContext } from "../store-context.js";

/** Every revocation, in the order they were made. */
export async function loadRevocations(ctx: StoreContext, db: SqlExecutor): Promise<Revocation[]> {
  const rows = await db.all(
    `SELECT kind, target_id, seq, at, reason FROM ${ctx.tables.revocations} ORDER BY seq`,
  );
  return rows.map(revocationOf);
}

export function revocationOf(row: SqlRow): Revocation {
  const reason = optionalText(row, "reason");
  return {
    kind: text(row, "kind") as RevocationKind,
    id: text(row, "target_id"),
    seq: integer(row, "seq"),
    at: integer(row, "at"),
    ...(reason === null ? {} : { reason }),
  };
}
