import type { Grant } from "@writ/core";
import type { DelegationRecord, Page, PageQuery } from "@writ/core/backend";
import { assertOptionalId } from "../directory/assert-id.js";
import { decodeCursor, pageLimit, pageOf } from "../pagination/page.js";
import { integer, json, optionalText, text } from "../sql/row-values.js";
import type { SqlValue } from "../sql/sql-driver.js";
import type { StoreContext } from "../store-context.js";

export interface RootHopQuery extends PageQuery {
  readonly user?: string;
  readonly tenant?: string;
}

/** Root hops (writs as issued), newest first: where delegation trees start. */
export async function listRootHops(
  ctx: StoreContext,
  query: RootHopQuery = {},
): Promise<Page<DelegationRecord>> {
  assertOptionalId(query.user, "user");
  assertOptionalId(query.tenant, "tenant");
  const limit = pageLimit(query.limit);
  const where = ["parent_jti IS NULL"];
  const params: SqlValue[] = [];
  if (query.user !== undefined) {
    where.push("user_id = ?");
    params.push(query.user);
  }
  if (query.tenant !== undefined) {
    where.push("tenant_id = ?");
    params.push(query.tenant);
  }
  if (query.cursor !== undefined) {
    const [issuedAt, jti] = decodeCursor(query.cursor, ["number", "string"]);
    where.push("(issued_at < ? OR (issued_at = ? AND jti < ?))");
    params.push(issuedAt, issuedAt, jti);
  }
  const rows = await ctx.driver.all(
    `SELECT jti, parent_jti, user_id, tenant_id, from_agent, to_agent, issuer, grants_json, issued_at, expires_at
     FROM ${ctx.tables.hops} WHERE ${where.join(" AND ")} ORDER BY issued_at DESC, jti DESC LIMIT ?`,
    [...params, limit + 1],
  );
  const records = rows.map(
    (row): DelegationRecord => ({
      jti: text(row, "jti"),
      parentJti: null,
      user: text(row, "user_id"),
      tenant: optionalText(row, "tenant_id"),
      fromAgent: optionalText(row, "from_agent"),
      toAgent: text(row, "to_agent"),
      issuer: text(row, "issuer"),
      grants: json(row, "grants_json") as Grant[],
      issuedAt: integer(row, "issued_at"),
      expiresAt: integer(row, "expires_at"),
    }),
  );
  return pageOf(records, limit, (record) => [record.issuedAt, record.jti]);
}
