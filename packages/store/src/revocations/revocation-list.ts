import {
  type Page,
  REVOCATION_KINDS,
  type Revocation,
  type RevocationQuery,
} from "@writ/core/backend";
import { assertOptionalId } from "../directory/assert-id.js";
import { decodeCursor, pageLimit, pageOf } from "../pagination/page.js";
import type { SqlValue } from "../sql/sql-driver.js";
import type { StoreContext } from "../store-context.js";
import { revocationOf } from "./load-revocations.js";

/** Revocations in sequence order, a page at a time, filtered by tenant in the query. */
export async function listRevocations(
  ctx: StoreContext,
  query: RevocationQuery = {},
): Promise<Page<Revocation>> {
  assertOptionalId(query.tenant, "tenant");
  if (query.kind !== undefined && !REVOCATION_KINDS.includes(query.kind)) {
    throw new TypeError(`Unknown revocation kind: use one of ${REVOCATION_KINDS.join(", ")}.`);
  }
  const limit = pageLimit(query.limit);
  const { tables } = ctx;
  // The tenant a revocation belongs to: its user's, agent's, key's agent's or API key's.
  const owner = `CASE r.kind WHEN 'user' THEN u.tenant_id WHEN 'agent' THEN a.tenant_id WHEN 'key' THEN ka.tenant_id WHEN 'api_key' THEN k.tenant_id END`;
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (query.cursor !== undefined) {
    const [after] = decodeCursor(query.cursor, ["number"]);
    where.push("r.seq > ?");
    params.push(after);
  }
  if (query.kind !== undefined) {
    where.push("r.kind = ?");
    params.push(query.kind);
  }
  if (query.tenant !== undefined) {
    where.push(`(r.kind IN ('hop', 'issuer_key') OR ${owner} = ?)`);
    params.push(query.tenant);
  }
  const rows = await ctx.driver.all(
    `SELECT r.kind, r.target_id, r.seq, r.at, r.reason
     FROM ${tables.revocations} r
     LEFT JOIN ${tables.users} u ON r.kind = 'user' AND u.id = r.target_id
     LEFT JOIN ${tables.agents} a ON r.kind = 'agent' AND a.id = r.target_id
     LEFT JOIN ${tables.agentKeys} ak ON r.kind = 'key' AND ak.thumbprint = r.target_id
     LEFT JOIN ${tables.agents} ka ON ka.id = ak.agent_id
     LEFT JOIN ${tables.apiKeys} k ON r.kind = 'api_key' AND k.id = r.target_id
     ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
     ORDER BY r.seq LIMIT ?`,
    [...params, limit + 1],
  );
  const page = pageOf(rows.map(revocationOf), limit, (revocation) => [revocation.seq]);
  if (query.tenant === undefined) return page;
  return {
    ...page,
    items: page.items.map((revocation) =>
      revocation.kind === "hop" || revocation.kind === "issuer_key"
        ? withoutReason(revocation)
        : revocation,
    ),
  };
}

function withoutReason(revocation: Revocation): Revocation {
  const { reason: _reason, ...rest } = revocation;
  return rest;
}
