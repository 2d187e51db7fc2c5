import type { Grant } from "@writ/core";
import { type AgentState, canonicalJson, type UserState } from "@writ/core/backend";
import { groupInto } from "../group-into.js";
import { json, optionalInteger, optionalText, text } from "../sql/row-values.js";
import type { SqlExecutor, SqlRow } from "../sql/sql-driver.js";
import type { StoreContext } from "../store-context.js";

/**
 * Live state of principals as guards see it: a user's permissions are the
 * union of direct grants and the grants of every role they hold (identical
 * grants once); an agent's policy and its registered key thumbprints.
 */
export async function loadUserStates(
  ctx: StoreContext,
  db: SqlExecutor,
  ids?: readonly string[],
): Promise<UserState[]> {
  if (ids?.length === 0) return [];
  const { tables } = ctx;
  const filter = ids === undefined ? "" : `WHERE id IN (${ids.map(() => "?").join(", ")})`;
  const users = await db.all(
    `SELECT id, tenant_id FROM ${tables.users} ${filter} ORDER BY id`,
    ids ?? [],
  );
  if (users.length === 0) return [];
  const userFilter =
    ids === undefined ? "" : `AND subject_id IN (${ids.map(() => "?").join(", ")})`;
  const direct = await db.all(
    `SELECT subject_id, position, grant_json FROM ${tables.permissions} WHERE subject_kind = 'user' ${userFilter} ORDER BY subject_id, position`,
    ids ?? [],
  );
  const memberFilter =
    ids === undefined ? "" : `WHERE m.user_id IN (${ids.map(() => "?").join(", ")})`;
  const viaRoles = await db.all(
    `SELECT m.user_id, p.grant_json FROM ${tables.roleMembers} m JOIN ${tables.permissions} p
       ON p.subject_kind = 'role' AND p.subject_id = m.role_id ${memberFilter} ORDER BY m.user_id, m.role_id, p.position`,
    ids ?? [],
  );
  const grants = new Map<string, Map<string, Grant>>();
  const add = (row: SqlRow, column: string) => {
    const grant = json(row, "grant_json") as Grant;
    groupInto(grants, text(row, column), () => new Map<string, Grant>()).set(
      canonicalJson(grant),
      grant,
    );
  };
  for (const row of direct) add(row, "subject_id");
  for (const row of viaRoles) add(row, "user_id");
  return users.map((row) => {
    const id = text(row, "id");
    const tenant = optionalText(row, "tenant_id");
    return {
      id,
      permissions: [...(grants.get(id)?.values() ?? [])],
      ...(tenant === null ? {} : { tenant }),
    };
  });
}

export async function loadAgentStates(
  ctx: StoreContext,
  db: SqlExecutor,
  ids?: readonly string[],
): Promise<AgentState[]> {
  if (ids?.length === 0) return [];
  const { tables } = ctx;
  const list = ids?.map(() => "?").join(", ") ?? "";
  const agents = await db.all(
    `SELECT id, tenant_id, shared FROM ${tables.agents} ${ids === undefined ? "" : `WHERE id IN (${list})`} ORDER BY id`,
    ids ?? [],
  );
  if (agents.length === 0) return [];
  const policies = await db.all(
    `SELECT agent_id, position, grant_json FROM ${tables.agentPolicies} ${ids === undefined ? "" : `WHERE agent_id IN (${list})`} ORDER BY agent_id, position`,
    ids ?? [],
  );
  const keys = await db.all(
    `SELECT agent_id, thumbprint, created_at FROM ${tables.agentKeys} ${ids === undefined ? "" : `WHERE agent_id IN (${list})`} ORDER BY agent_id, created_at, thumbprint`,
    ids ?? [],
  );
  const policyOf = groupBy(policies, (row) => json(row, "grant_json") as Grant);
  const keysOf = groupBy(keys, (row) => text(row, "thumbprint"));
  return agents.map((row) => {
    const id = text(row, "id");
    const tenant = optionalText(row, "tenant_id");
    return {
      id,
      policy: policyOf.get(id) ?? [],
      keys: keysOf.get(id) ?? [],
      ...(tenant === null ? {} : { tenant }),
      ...(optionalInteger(row, "shared") === 1 ? { shared: true } : {}),
    };
  });
}

function groupBy<T>(rows: readonly SqlRow[], value: (row: SqlRow) => T): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    groupInto(groups, text(row, "agent_id"), () => [] as T[]).push(value(row));
  }
  return groups;
}
