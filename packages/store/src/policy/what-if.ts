import type { Grant } from "@writ/core";
import {
  canonicalJson,
  type ReplayedCall,
  replayAuthority,
  toGrants,
  type WhatIfInput,
  type WhatIfReport,
} from "@writ/core/backend";
import { assertId, assertOptionalId } from "../directory/assert-id.js";
import { loadAgentStates, loadUserStates } from "../directory/principal-states.js";
import { LEDGER_COLUMNS, recordOf } from "../ledger/ledger-rows.js";
import { json, optionalText, text } from "../sql/row-values.js";
import type { SqlValue } from "../sql/sql-driver.js";
import type { StoreContext } from "../store-context.js";

/** Codes the grant step decided: a change of grants can change these, nothing else. */
const GRANT_DECIDED = new Set([
  "granted",
  "approval.required",
  "approval.granted",
  "grant.action_not_granted",
  "grant.condition_failed",
  "grant.set_unavailable",
  "live.permission_denied",
  "live.policy_denied",
]);

/**
 * Replays the latest recorded decisions of everyone a grant change affects
 * (the user; the role's members; every call with the agent anywhere in its
 * chain) through core's replayAuthority: once with the grants in force, once
 * with the proposed ones, each with the hops' grants as issued and the
 * arguments as stored. Writs already issued keep their hops' grants, so a
 * broader permission shows no change for them; a narrower one shows what it
 * would refuse.
 */
export async function whatIf(ctx: StoreContext, input: WhatIfInput): Promise<WhatIfReport> {
  const { kind, id } = input.subject ?? {};
  if (kind !== "user" && kind !== "role" && kind !== "agent") {
    throw new TypeError('whatIf needs a subject: { kind: "user" | "role" | "agent", id }.');
  }
  assertId(id, kind);
  assertOptionalId(input.tenant, "tenant");
  const proposed = toGrants(input.grants);
  const limit = input.limit ?? 50;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 500) {
    throw new TypeError("limit must be a whole number from 1 to 500.");
  }
  const { tables, driver } = ctx;
  const where = ["l.kind = 'decision'"];
  const params: SqlValue[] = [];
  if (kind === "user") {
    where.push("l.user_id = ?");
    params.push(id);
  } else if (kind === "role") {
    where.push(`l.user_id IN (SELECT user_id FROM ${tables.roleMembers} WHERE role_id = ?)`);
    params.push(id);
  } else {
    // Anywhere in the chain: the agent ids are JSON strings in chain_json.
    where.push("l.chain_json LIKE ? ESCAPE '\\'");
    params.push(`%${JSON.stringify(id).replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  if (input.tenant !== undefined) {
    where.push("l.tenant_id = ?");
    params.push(input.tenant);
  }
  const rows = (
    await driver.all(
      `SELECT ${LEDGER_COLUMNS.map((column) => `l.${column}`).join(", ")} FROM ${tables.ledger} l WHERE ${where.join(" AND ")}
       ORDER BY l.time DESC, l.chain_id DESC, l.seq DESC LIMIT ?`,
      [...params, limit],
    )
  ).map(recordOf);

  const users = [...new Set(rows.flatMap((row) => (row.user === null ? [] : [row.user])))];
  const agents = [...new Set(rows.flatMap((row) => row.chain?.agents ?? []))];
  const hops = [...new Set(rows.flatMap((row) => row.chain?.hops ?? []))];
  const inputs = [
    ...new Set(rows.flatMap((row) => (row.inputHash === null ? [] : [row.inputHash]))),
  ];
  const permissions = new Map(
    (await loadUserStates(ctx, driver, users)).map((user) => [user.id, user.permissions]),
  );
  const policies = new Map(
    (await loadAgentStates(ctx, driver, agents)).map((agent) => [agent.id, agent.policy]),
  );
  const proposedPermissions =
    kind === "agent" ? permissions : await permissionsWith(ctx, users, kind, id, proposed);
  const hopGrants = await grantsOfHops(ctx, hops);
  const bodies = await storedBodies(ctx, inputs);

  const calls = rows.map((row): ReplayedCall => {
    const base = {
      eventId: row.id,
      callId: row.callId,
      time: row.time,
      user: row.user,
      chain: row.chain?.agents ?? [],
      action: row.action,
      tool: row.tool,
      recorded: { effect: row.decision, code: row.reason },
    };
    const chain = row.chain;
    if (row.reason === null || !GRANT_DECIDED.has(row.reason) || !chain || row.action === null) {
      return { ...base, changed: false, skipped: "decided_before_grants" };
    }
    const grants = chain.hops.map((hop) => hopGrants.get(hop));
    if (grants.some((hop) => hop === undefined)) {
      return { ...base, changed: false, skipped: "hop_not_recorded" };
    }
    if (row.inputHash === null || !bodies.has(row.inputHash)) {
      return { ...base, changed: false, skipped: "input_not_stored" };
    }
    const replay = (
      userPermissions: ReadonlyMap<string, readonly Grant[]>,
      policyOf: (agent: string) => readonly Grant[] | undefined,
    ) =>
      replayAuthority({
        action: row.action as string,
        args: bodies.get(row.inputHash as string),
        hops: grants as Grant[][],
        agents: chain.agents,
        permissions: row.user === null ? undefined : userPermissions.get(row.user),
        policies: chain.agents.map(policyOf),
      });
    const before = replay(permissions, (agent) => policies.get(agent));
    const after = replay(proposedPermissions, (agent) =>
      kind === "agent" && agent === id ? proposed : policies.get(agent),
    );
    return {
      ...base,
      before,
      after,
      changed: before.effect !== after.effect || before.code !== after.code,
    };
  });
  return {
    subject: { kind, id },
    grants: proposed,
    examined: calls.length,
    changed: calls.filter((call) => call.changed).length,
    skipped: calls.filter((call) => call.skipped !== undefined).length,
    calls,
  };
}

/** Users' permissions as they would be with a user's direct grants, or a role's, replaced. */
async function permissionsWith(
  ctx: StoreContext,
  users: readonly string[],
  kind: "user" | "role",
  id: string,
  proposed: readonly Grant[],
): Promise<Map<string, readonly Grant[]>> {
  const result = new Map<string, readonly Grant[]>();
  if (users.length === 0) return result;
  const { tables, driver } = ctx;
  const list = users.map(() => "?").join(", ");
  const direct = await driver.all(
    `SELECT subject_id AS user_id, grant_json FROM ${tables.permissions} WHERE subject_kind = 'user' AND subject_id IN (${list}) ORDER BY subject_id, position`,
    [...users],
  );
  const viaRoles = await driver.all(
    `SELECT m.user_id, m.role_id, p.grant_json FROM ${tables.roleMembers} m JOIN ${tables.permissions} p
       ON p.subject_kind = 'role' AND p.subject_id = m.role_id WHERE m.user_id IN (${list}) ORDER BY m.user_id, m.role_id, p.position`,
    [...users],
  );
  const memberOf = await driver.all(
    `SELECT user_id FROM ${tables.roleMembers} WHERE role_id = ? AND user_id IN (${list})`,
    [id, ...users],
  );
  const members = new Set(memberOf.map((row) => text(row, "user_id")));
  for (const user of users) {
    const grants = new Map<string, Grant>();
    const add = (grant: Grant) => grants.set(canonicalJson(grant), grant);
    if (kind === "user" && user === id) proposed.forEach(add);
    else
      for (const row of direct)
        if (text(row, "user_id") === user) add(json(row, "grant_json") as Grant);
    for (const row of viaRoles) {
      if (text(row, "user_id") !== user) continue;
      if (kind === "role" && text(row, "role_id") === id) continue;
      add(json(row, "grant_json") as Grant);
    }
    if (kind === "role" && members.has(user)) proposed.forEach(add);
    result.set(user, [...grants.values()]);
  }
  return result;
}

async function grantsOfHops(
  ctx: StoreContext,
  jtis: readonly string[],
): Promise<Map<string, Grant[]>> {
  const grants = new Map<string, Grant[]>();
  for (let start = 0; start < jtis.length; start += 500) {
    const chunk = jtis.slice(start, start + 500);
    const rows = await ctx.driver.all(
      `SELECT jti, grants_json FROM ${ctx.tables.hops} WHERE jti IN (${chunk.map(() => "?").join(", ")})`,
      chunk,
    );
    for (const row of rows) grants.set(text(row, "jti"), json(row, "grants_json") as Grant[]);
  }
  return grants;
}

/** Stored (not erased) input bodies by hash. */
async function storedBodies(
  ctx: StoreContext,
  hashes: readonly string[],
): Promise<Map<string, unknown>> {
  const bodies = new Map<string, unknown>();
  for (let start = 0; start < hashes.length; start += 500) {
    const chunk = hashes.slice(start, start + 500);
    const rows = await ctx.driver.all(
      `SELECT hash, body_json FROM ${ctx.tables.ledgerPayloads} WHERE hash IN (${chunk.map(() => "?").join(", ")})`,
      chunk,
    );
    for (const row of rows) {
      const body = optionalText(row, "body_json");
      if (body !== null) bodies.set(text(row, "hash"), JSON.parse(body) as unknown);
    }
  }
  return bodies;
}
