import type { Grant } from "@writ/core";
import { type DelegationNode, type DelegationRecord, delegationConflict } from "@writ/core/backend";
import { integer, json, optionalText, text } from "../sql/row-values.js";
import type { SqlExecutor, SqlRow } from "../sql/sql-driver.js";
import type { StoreContext } from "../store-context.js";

const COLUMNS =
  "jti, parent_jti, user_id, tenant_id, from_agent, to_agent, issuer, grants_json, issued_at, expires_at";

/** The delegation graph: every hop issued or seen, linked to its parent hop. */
export class DelegationGraph {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /**
   * Records hops not seen before; returns the ones that were new (idempotent
   * by jti). Refuses, as delegationConflict() says, a hop whose id is held by
   * another hop or that does not continue its recorded parent's user and
   * tenant; such a refusal comes before anything of the batch is recorded.
   */
  async record(db: SqlExecutor, records: readonly DelegationRecord[]): Promise<DelegationRecord[]> {
    const batch = new Map<string, DelegationRecord>();
    const unseen: DelegationRecord[] = [];
    for (const record of records) {
      const held = await this.#held(db, record);
      const recorded = held.recorded ?? batch.get(record.jti);
      const parent =
        held.parent ?? (record.parentJti === null ? undefined : batch.get(record.parentJti));
      const conflict = delegationConflict(record, recorded, parent);
      if (conflict) throw conflict;
      if (recorded) continue;
      batch.set(record.jti, record);
      unseen.push(record);
    }
    const fresh: DelegationRecord[] = [];
    const now = this.#ctx.clock();
    for (const record of unseen) {
      const inserted = await db.run(
        `INSERT INTO ${this.#ctx.tables.hops} (${COLUMNS}, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (jti) DO NOTHING`,
        [
          record.jti,
          record.parentJti,
          record.user,
          record.tenant,
          record.fromAgent,
          record.toAgent,
          record.issuer,
          JSON.stringify(record.grants),
          record.issuedAt,
          record.expiresAt,
          now,
        ],
      );
      if (inserted > 0) {
        fresh.push(record);
        continue;
      }
      // Recorded concurrently by another writer: the hop recorded first owns the id.
      const raced = delegationConflict(record, (await this.#held(db, record)).recorded, undefined);
      if (raced) throw raced;
    }
    return fresh;
  }

  /** The hops recorded under a record's id and under its parent's id. */
  async #held(
    db: SqlExecutor,
    record: DelegationRecord,
  ): Promise<{ recorded?: DelegationRecord; parent?: DelegationRecord }> {
    const ids = record.parentJti === null ? [record.jti] : [record.jti, record.parentJti];
    const rows = await db.all(
      `SELECT ${COLUMNS} FROM ${this.#ctx.tables.hops} WHERE jti IN (${ids.map(() => "?").join(", ")})`,
      ids,
    );
    const held = rows.map(recordOf);
    const recorded = held.find((hop) => hop.jti === record.jti);
    const parent = held.find((hop) => hop.jti === record.parentJti);
    return { ...(recorded ? { recorded } : {}), ...(parent ? { parent } : {}) };
  }

  /** The tree under `rootJti`; `revoked` marks hops that are revoked or sit below a revoked hop. */
  async tree(rootJti: string): Promise<DelegationNode | undefined> {
    const { tables, driver } = this.#ctx;
    const rows = await driver.all(
      `WITH RECURSIVE tree(jti) AS (
         SELECT jti FROM ${tables.hops} WHERE jti = ?
         UNION ALL
         SELECT h.jti FROM ${tables.hops} h JOIN tree t ON h.parent_jti = t.jti
       )
       SELECT ${COLUMNS.split(", ")
         .map((column) => `h.${column}`)
         .join(", ")}, r.kind AS revoked_kind
       FROM ${tables.hops} h JOIN tree ON tree.jti = h.jti
       LEFT JOIN ${tables.revocations} r ON r.kind = 'hop' AND r.target_id = h.jti
       ORDER BY h.issued_at, h.jti`,
      [rootJti],
    );
    const nodes = new Map<
      string,
      { record: DelegationRecord; revoked: boolean; children: string[] }
    >();
    for (const row of rows) {
      const record = recordOf(row);
      nodes.set(record.jti, {
        record,
        revoked: optionalText(row, "revoked_kind") !== null,
        children: [],
      });
    }
    for (const node of nodes.values()) {
      if (node.record.parentJti !== null && node.record.jti !== rootJti)
        nodes.get(node.record.parentJti)?.children.push(node.record.jti);
    }
    const build = (jti: string, parentRevoked: boolean): DelegationNode | undefined => {
      const node = nodes.get(jti);
      if (!node) return undefined;
      const revoked = parentRevoked || node.revoked;
      return {
        ...node.record,
        revoked,
        children: node.children
          .map((child) => build(child, revoked))
          .filter((child) => child !== undefined),
      };
    };
    return build(rootJti, false);
  }
}

function recordOf(row: SqlRow): DelegationRecord {
  return {
    jti: text(row, "jti"),
    parentJti: optionalText(row, "parent_jti"),
    user: text(row, "user_id"),
    tenant: optionalText(row, "tenant_id"),
    fromAgent: optionalText(row, "from_agent"),
    toAgent: text(row, "to_agent"),
    issuer: text(row, "issuer"),
    grants: json(row, "grants_json") as Grant[],
    issuedAt: integer(row, "issued_at"),
    expiresAt: integer(row, "expires_at"),
  };
}
