import {
  type Ed25519PublicJwk,
  type Grant,
  importPublicKey,
  type PublicKey,
  WritError,
} from "@writ/core";
import type {
  AgentKeyRecord,
  AgentRecord,
  DirectoryQuery,
  GrantsInput,
  IdentityInput,
  LinkedIdentity,
  Page,
  PublicKeyInput,
  PutAgentInput,
  PutRoleInput,
  PutUserInput,
  RoleRecord,
  TenantRecord,
  UserRecord,
} from "@writ/core/backend";
import {
  type AgentState,
  assertSharedHasNoTenant,
  canonicalJson,
  toGrants,
  type UserState,
} from "@writ/core/backend";
import type { RunAdminChange } from "../admin/admin-change.js";
import type { EmitChange } from "../live/live-change-log.js";
import { decodeCursor, pageLimit, pageOf } from "../pagination/page.js";
import { integer, json, optionalText, text } from "../sql/row-values.js";
import type { SqlExecutor, SqlRow, SqlTransaction, SqlValue } from "../sql/sql-driver.js";
import type { StoreContext } from "../store-context.js";
import { assertId, assertOptionalId } from "./assert-id.js";
import { loadAgentStates, loadUserStates } from "./principal-states.js";
import { assertIdentity, UserIdentities } from "./user-identities.js";

/**
 * Users, roles, permissions, agents, policies and keys. Every change is an
 * administrative change: it emits the new state of each user or agent it
 * touched, so guards enforce it on writs already issued, and records itself
 * in the ledger in the same transaction.
 */
export class Directory {
  readonly #ctx: StoreContext;
  readonly #change: RunAdminChange;
  readonly #identities: UserIdentities;

  constructor(ctx: StoreContext, change: RunAdminChange) {
    this.#ctx = ctx;
    this.#change = change;
    this.#identities = new UserIdentities(ctx);
  }

  // ── Tenants ──────────────────────────────────────────────────────────────

  async putTenant(id: string): Promise<TenantRecord> {
    assertId(id, "tenant");
    await this.#ensureTenant(this.#ctx.driver, id);
    return (await this.#tenant(this.#ctx.driver, id)) as TenantRecord;
  }

  async listTenants(query: DirectoryQuery = {}): Promise<Page<TenantRecord>> {
    const { where, params, limit } = keyset(query, "id");
    const rows = await this.#ctx.driver.all(
      `SELECT id, created_at FROM ${this.#ctx.tables.tenants} ${where} ORDER BY id LIMIT ?`,
      [...params, limit + 1],
    );
    return pageOf(
      rows.map((row) => ({ id: text(row, "id"), createdAt: integer(row, "created_at") })),
      limit,
      (tenant) => [tenant.id],
    );
  }

  // ── Users ────────────────────────────────────────────────────────────────

  async putUser(input: PutUserInput): Promise<UserRecord> {
    const user = checkUser(input);
    await this.#change(async ({ tx, emit, audit }) => {
      await this.#writeUser(tx, emit, user, "create or replace");
      await audit("put_user", { user: input.id });
    });
    return (await this.getUser(input.id)) as UserRecord;
  }

  async provisionUser(input: PutUserInput, identity: IdentityInput): Promise<UserRecord> {
    const user = checkUser(input);
    assertIdentity(identity);
    await this.#change(async ({ tx, emit, audit }) => {
      await this.#writeUser(tx, emit, user, "create only");
      await this.#identities.link(tx, input.id, identity);
      await audit("provision_user", { user: input.id, ...identityFacts(identity) });
    });
    return (await this.getUser(input.id)) as UserRecord;
  }

  async linkIdentity(user: string, identity: IdentityInput): Promise<LinkedIdentity> {
    assertId(user, "user");
    assertIdentity(identity);
    return this.#change(async ({ tx, audit }) => {
      const [row] = await tx.all(`SELECT id FROM ${this.#ctx.tables.users} WHERE id = ?`, [user]);
      if (!row) throw notFound("user", user);
      const linked = await this.#identities.link(tx, user, identity);
      await audit("link_identity", { user, ...identityFacts(identity) });
      return linked;
    });
  }

  async unlinkIdentity(user: string, identity: IdentityInput): Promise<boolean> {
    assertId(user, "user");
    assertIdentity(identity);
    return this.#change(async ({ tx, audit }) => {
      const unlinked = await this.#identities.unlink(tx, user, identity);
      if (unlinked) await audit("unlink_identity", { user, ...identityFacts(identity) });
      return unlinked;
    });
  }

  async userForIdentity(identity: IdentityInput): Promise<UserRecord | undefined> {
    assertIdentity(identity);
    const user = await this.#identities.userOf(this.#ctx.driver, identity);
    return user === undefined ? undefined : this.getUser(user);
  }

  async setUserPermissions(id: string, permissions: GrantsInput): Promise<UserRecord> {
    assertId(id, "user");
    const grants = toGrants(permissions);
    await this.#change(async ({ tx, emit, audit }) => {
      await this.#touch(tx, "users", id, "user");
      await this.#replaceGrants(tx, "user", id, grants);
      await this.#emitUsers(tx, emit, [id]);
      await audit("set_user_permissions", { user: id });
    });
    return (await this.getUser(id)) as UserRecord;
  }

  async getUser(id: string): Promise<UserRecord | undefined> {
    return (await this.#users(this.#ctx.driver, [id]))[0];
  }

  async listUsers(query: DirectoryQuery = {}): Promise<Page<UserRecord>> {
    return pageOf(
      await this.#users(this.#ctx.driver, await this.#pageIds("users", query)),
      pageLimit(query.limit),
      (user) => [user.id],
    );
  }

  async removeUser(id: string): Promise<boolean> {
    assertId(id, "user");
    const { tables } = this.#ctx;
    return this.#change(async ({ tx, emit, audit }) => {
      const removed = (await tx.run(`DELETE FROM ${tables.users} WHERE id = ?`, [id])) > 0;
      await tx.run(
        `DELETE FROM ${tables.permissions} WHERE subject_kind = 'user' AND subject_id = ?`,
        [id],
      );
      await tx.run(`DELETE FROM ${tables.roleMembers} WHERE user_id = ?`, [id]);
      await this.#identities.unlinkAll(tx, id);
      if (removed) {
        emit((seq) => ({ seq, type: "user_removed", id }));
        await audit("remove_user", { user: id });
      }
      return removed;
    });
  }

  // ── Roles ────────────────────────────────────────────────────────────────

  async putRole(input: PutRoleInput): Promise<RoleRecord> {
    assertId(input.id, "role");
    assertOptionalId(input.tenant, "tenant");
    const grants = toGrants(input.permissions);
    const { tables, clock } = this.#ctx;
    await this.#change(async ({ tx, emit, audit }) => {
      if (input.tenant !== undefined) await this.#ensureTenant(tx, input.tenant);
      const now = clock();
      await tx.run(
        `INSERT INTO ${tables.roles} (id, tenant_id, created_at, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id, updated_at = excluded.updated_at`,
        [input.id, input.tenant ?? null, now, now],
      );
      await this.#replaceGrants(tx, "role", input.id, grants);
      await this.#emitUsers(tx, emit, await this.#members(tx, input.id));
      await audit("put_role", { role: input.id });
    });
    return (await this.getRole(input.id)) as RoleRecord;
  }

  async getRole(id: string): Promise<RoleRecord | undefined> {
    const [row] = await this.#ctx.driver.all(
      `SELECT id, tenant_id, created_at, updated_at FROM ${this.#ctx.tables.roles} WHERE id = ?`,
      [id],
    );
    return row ? this.#role(this.#ctx.driver, row) : undefined;
  }

  async listRoles(query: DirectoryQuery = {}): Promise<Page<RoleRecord>> {
    const ids = await this.#pageIds("roles", query);
    const roles: RoleRecord[] = [];
    for (const id of ids) {
      const role = await this.getRole(id);
      if (role) roles.push(role);
    }
    return pageOf(roles, pageLimit(query.limit), (role) => [role.id]);
  }

  async removeRole(id: string): Promise<boolean> {
    assertId(id, "role");
    const { tables } = this.#ctx;
    return this.#change(async ({ tx, emit, audit }) => {
      const members = await this.#members(tx, id);
      const removed = (await tx.run(`DELETE FROM ${tables.roles} WHERE id = ?`, [id])) > 0;
      await tx.run(
        `DELETE FROM ${tables.permissions} WHERE subject_kind = 'role' AND subject_id = ?`,
        [id],
      );
      await tx.run(`DELETE FROM ${tables.roleMembers} WHERE role_id = ?`, [id]);
      await this.#emitUsers(tx, emit, members);
      if (removed) await audit("remove_role", { role: id });
      return removed;
    });
  }

  async assignRole(user: string, role: string): Promise<void> {
    assertId(user, "user");
    assertId(role, "role");
    const { tables, clock } = this.#ctx;
    await this.#change(async ({ tx, emit, audit }) => {
      const [row] = await tx.all(`SELECT tenant_id FROM ${tables.users} WHERE id = ?`, [user]);
      if (!row) throw notFound("user", user);
      await this.#assertRoleFits(tx, role, optionalText(row, "tenant_id") ?? undefined);
      const added = await tx.run(
        `INSERT INTO ${tables.roleMembers} (role_id, user_id, created_at) VALUES (?, ?, ?) ON CONFLICT (role_id, user_id) DO NOTHING`,
        [role, user, clock()],
      );
      if (added > 0) await this.#emitUsers(tx, emit, [user]);
      await audit("assign_role", { user, role });
    });
  }

  async unassignRole(user: string, role: string): Promise<boolean> {
    assertId(user, "user");
    assertId(role, "role");
    return this.#change(async ({ tx, emit, audit }) => {
      const removed =
        (await tx.run(
          `DELETE FROM ${this.#ctx.tables.roleMembers} WHERE role_id = ? AND user_id = ?`,
          [role, user],
        )) > 0;
      if (removed) {
        await this.#emitUsers(tx, emit, [user]);
        await audit("unassign_role", { user, role });
      }
      return removed;
    });
  }

  // ── Agents ───────────────────────────────────────────────────────────────

  async putAgent(input: PutAgentInput): Promise<AgentRecord> {
    assertId(input.id, "agent");
    assertOptionalId(input.tenant, "tenant");
    assertSharedHasNoTenant(input);
    const policy = toGrants(input.policy);
    const keys = (input.keys ?? []).map(publicKeyOf);
    const { tables, clock } = this.#ctx;
    await this.#change(async ({ tx, emit, audit }) => {
      if (input.tenant !== undefined) await this.#ensureTenant(tx, input.tenant);
      const now = clock();
      await tx.run(
        `INSERT INTO ${tables.agents} (id, tenant_id, shared, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id, shared = excluded.shared, updated_at = excluded.updated_at`,
        [input.id, input.tenant ?? null, input.shared === true ? 1 : null, now, now],
      );
      await tx.run(`DELETE FROM ${tables.agentPolicies} WHERE agent_id = ?`, [input.id]);
      await this.#insertPolicy(tx, input.id, policy);
      for (const key of keys) await this.#insertKey(tx, input.id, key, now);
      await this.#emitAgent(tx, emit, input.id);
      await audit("put_agent", { agent: input.id });
    });
    return (await this.getAgent(input.id)) as AgentRecord;
  }

  async setAgentPolicy(id: string, policy: GrantsInput): Promise<AgentRecord> {
    assertId(id, "agent");
    const grants = toGrants(policy);
    await this.#change(async ({ tx, emit, audit }) => {
      await this.#touch(tx, "agents", id, "agent");
      await tx.run(`DELETE FROM ${this.#ctx.tables.agentPolicies} WHERE agent_id = ?`, [id]);
      await this.#insertPolicy(tx, id, grants);
      await this.#emitAgent(tx, emit, id);
      await audit("set_agent_policy", { agent: id });
    });
    return (await this.getAgent(id)) as AgentRecord;
  }

  async getAgent(id: string): Promise<AgentRecord | undefined> {
    return (await this.#agents(this.#ctx.driver, [id]))[0];
  }

  async listAgents(query: DirectoryQuery = {}): Promise<Page<AgentRecord>> {
    return pageOf(
      await this.#agents(this.#ctx.driver, await this.#pageIds("agents", query)),
      pageLimit(query.limit),
      (agent) => [agent.id],
    );
  }

  async removeAgent(id: string): Promise<boolean> {
    assertId(id, "agent");
    const { tables } = this.#ctx;
    return this.#change(async ({ tx, emit, audit }) => {
      const removed = (await tx.run(`DELETE FROM ${tables.agents} WHERE id = ?`, [id])) > 0;
      await tx.run(`DELETE FROM ${tables.agentPolicies} WHERE agent_id = ?`, [id]);
      await tx.run(`DELETE FROM ${tables.agentKeys} WHERE agent_id = ?`, [id]);
      if (removed) {
        emit((seq) => ({ seq, type: "agent_removed", id }));
        await audit("remove_agent", { agent: id });
      }
      return removed;
    });
  }

  async addAgentKey(agent: string, input: PublicKeyInput): Promise<AgentKeyRecord> {
    assertId(agent, "agent");
    const key = publicKeyOf(input);
    const now = this.#ctx.clock();
    await this.#change(async ({ tx, emit, audit }) => {
      await this.#touch(tx, "agents", agent, "agent");
      await this.#insertKey(tx, agent, key, now);
      await this.#emitAgent(tx, emit, agent);
      await audit("add_agent_key", { agent, key: key.thumbprint });
    });
    const record = (await this.getAgent(agent))?.keys.find(
      (candidate) => candidate.thumbprint === key.thumbprint,
    );
    return record ?? { thumbprint: key.thumbprint, jwk: key.jwk, createdAt: now };
  }

  async removeAgentKey(agent: string, thumbprint: string): Promise<boolean> {
    assertId(agent, "agent");
    return this.#change(async ({ tx, emit, audit }) => {
      const removed =
        (await tx.run(
          `DELETE FROM ${this.#ctx.tables.agentKeys} WHERE agent_id = ? AND thumbprint = ?`,
          [agent, thumbprint],
        )) > 0;
      if (removed) {
        await this.#emitAgent(tx, emit, agent);
        await audit("remove_agent_key", { agent, key: thumbprint });
      }
      return removed;
    });
  }

  // ── Live state for issuing ──────────────────────────────────────────────

  async userState(id: string): Promise<UserState | undefined> {
    return (await loadUserStates(this.#ctx, this.#ctx.driver, [id]))[0];
  }

  async agentState(id: string): Promise<AgentState | undefined> {
    return (await loadAgentStates(this.#ctx, this.#ctx.driver, [id]))[0];
  }

  // ── Internals ────────────────────────────────────────────────────────────

  /** Writes a checked user; "create only" refuses (store.conflict) an id that exists. */
  async #writeUser(
    tx: SqlTransaction,
    emit: EmitChange,
    user: CheckedUser,
    mode: "create or replace" | "create only",
  ): Promise<void> {
    const { tables, clock } = this.#ctx;
    const { input, grants, roles } = user;
    if (input.tenant !== undefined) await this.#ensureTenant(tx, input.tenant);
    for (const role of roles) await this.#assertRoleFits(tx, role, input.tenant);
    const now = clock();
    const written = await tx.run(
      `INSERT INTO ${tables.users} (id, tenant_id, created_at, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO ${mode === "create only" ? "NOTHING" : "UPDATE SET tenant_id = excluded.tenant_id, updated_at = excluded.updated_at"}`,
      [input.id, input.tenant ?? null, now, now],
    );
    if (written === 0) {
      throw new WritError("store.conflict", `User "${input.id}" exists already.`, {
        name: input.id,
      });
    }
    await this.#replaceGrants(tx, "user", input.id, grants);
    await tx.run(`DELETE FROM ${tables.roleMembers} WHERE user_id = ?`, [input.id]);
    if (roles.length > 0) {
      await tx.insertMany(
        `INSERT INTO ${tables.roleMembers} (role_id, user_id, created_at)`,
        roles.map((role) => [role, input.id, now]),
      );
    }
    await this.#emitUsers(tx, emit, [input.id]);
  }

  /** The ids of one page (and one more, which tells that more follow), in id order. */
  async #pageIds(table: "users" | "roles" | "agents", query: DirectoryQuery): Promise<string[]> {
    const { where, params, limit } = keyset(query, "tenant_id");
    const rows = await this.#ctx.driver.all(
      `SELECT id FROM ${this.#ctx.tables[table]} ${where} ORDER BY id LIMIT ?`,
      [...params, limit + 1],
    );
    return rows.map((row) => text(row, "id"));
  }

  async #ensureTenant(db: SqlExecutor, id: string): Promise<void> {
    await db.run(
      `INSERT INTO ${this.#ctx.tables.tenants} (id, created_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`,
      [id, this.#ctx.clock()],
    );
  }

  async #tenant(db: SqlExecutor, id: string): Promise<TenantRecord | undefined> {
    const [row] = await db.all(
      `SELECT id, created_at FROM ${this.#ctx.tables.tenants} WHERE id = ?`,
      [id],
    );
    return row ? { id: text(row, "id"), createdAt: integer(row, "created_at") } : undefined;
  }

  /** Marks a user or agent updated; throws store.not_found when it does not exist. */
  async #touch(
    tx: SqlTransaction,
    table: "users" | "agents",
    id: string,
    kind: string,
  ): Promise<void> {
    const changed = await tx.run(
      `UPDATE ${this.#ctx.tables[table]} SET updated_at = ? WHERE id = ?`,
      [this.#ctx.clock(), id],
    );
    if (changed === 0) throw notFound(kind, id);
  }

  async #assertRoleFits(
    tx: SqlTransaction,
    role: string,
    tenant: string | undefined,
  ): Promise<void> {
    const [row] = await tx.all(`SELECT tenant_id FROM ${this.#ctx.tables.roles} WHERE id = ?`, [
      role,
    ]);
    if (!row) throw notFound("role", role);
    const roleTenant = optionalText(row, "tenant_id");
    if (roleTenant !== null && roleTenant !== tenant) {
      throw new WritError(
        "store.conflict",
        `Role "${role}" belongs to another tenant than the user.`,
        { name: role },
      );
    }
  }

  async #replaceGrants(
    tx: SqlTransaction,
    kind: "user" | "role",
    id: string,
    grants: readonly Grant[],
  ): Promise<void> {
    const { tables } = this.#ctx;
    await tx.run(`DELETE FROM ${tables.permissions} WHERE subject_kind = ? AND subject_id = ?`, [
      kind,
      id,
    ]);
    if (grants.length === 0) return;
    await tx.insertMany(
      `INSERT INTO ${tables.permissions} (subject_kind, subject_id, position, grant_json)`,
      grants.map((grant, position) => [kind, id, position, canonicalJson(grant)]),
    );
  }

  async #insertPolicy(tx: SqlTransaction, agent: string, grants: readonly Grant[]): Promise<void> {
    if (grants.length === 0) return;
    await tx.insertMany(
      `INSERT INTO ${this.#ctx.tables.agentPolicies} (agent_id, position, grant_json)`,
      grants.map((grant, position) => [agent, position, canonicalJson(grant)]),
    );
  }

  async #insertKey(tx: SqlTransaction, agent: string, key: PublicKey, now: number): Promise<void> {
    const { tables } = this.#ctx;
    const [owner] = await tx.all(`SELECT agent_id FROM ${tables.agentKeys} WHERE thumbprint = ?`, [
      key.thumbprint,
    ]);
    if (owner && text(owner, "agent_id") !== agent) {
      throw new WritError(
        "store.conflict",
        "This key is already registered for another agent; give each agent its own key.",
        {
          name: key.thumbprint,
        },
      );
    }
    if (owner) return;
    await tx.run(
      `INSERT INTO ${tables.agentKeys} (thumbprint, agent_id, public_jwk, created_at) VALUES (?, ?, ?, ?)`,
      [key.thumbprint, agent, JSON.stringify(key.jwk), now],
    );
  }

  async #members(db: SqlExecutor, role: string): Promise<string[]> {
    const rows = await db.all(
      `SELECT user_id FROM ${this.#ctx.tables.roleMembers} WHERE role_id = ? ORDER BY user_id`,
      [role],
    );
    return rows.map((row) => text(row, "user_id"));
  }

  async #emitUsers(tx: SqlTransaction, emit: EmitChange, ids: readonly string[]): Promise<void> {
    for (const user of await loadUserStates(this.#ctx, tx, ids))
      emit((seq) => ({ seq, type: "user", user }));
  }

  async #emitAgent(tx: SqlTransaction, emit: EmitChange, id: string): Promise<void> {
    for (const agent of await loadAgentStates(this.#ctx, tx, [id]))
      emit((seq) => ({ seq, type: "agent", agent }));
  }

  async #users(db: SqlExecutor, ids: readonly string[]): Promise<UserRecord[]> {
    if (ids.length === 0) return [];
    const { tables } = this.#ctx;
    const list = ids.map(() => "?").join(", ");
    const rows = await db.all(
      `SELECT id, tenant_id, created_at, updated_at FROM ${tables.users} WHERE id IN (${list}) ORDER BY id`,
      [...ids],
    );
    const direct = await db.all(
      `SELECT subject_id, grant_json FROM ${tables.permissions} WHERE subject_kind = 'user' AND subject_id IN (${list}) ORDER BY subject_id, position`,
      [...ids],
    );
    const roles = await db.all(
      `SELECT user_id, role_id FROM ${tables.roleMembers} WHERE user_id IN (${list}) ORDER BY user_id, role_id`,
      [...ids],
    );
    const states = new Map(
      (await loadUserStates(this.#ctx, db, ids)).map((state) => [state.id, state]),
    );
    const identities = await this.#identities.of(db, ids);
    return rows.map((row) => {
      const id = text(row, "id");
      const tenant = optionalText(row, "tenant_id");
      return {
        id,
        ...(tenant === null ? {} : { tenant }),
        permissions: direct
          .filter((grant) => text(grant, "subject_id") === id)
          .map((grant) => json(grant, "grant_json") as Grant),
        roles: roles
          .filter((member) => text(member, "user_id") === id)
          .map((member) => text(member, "role_id")),
        effectivePermissions: states.get(id)?.permissions ?? [],
        identities: identities.get(id) ?? [],
        createdAt: integer(row, "created_at"),
        updatedAt: integer(row, "updated_at"),
      };
    });
  }

  async #role(db: SqlExecutor, row: SqlRow): Promise<RoleRecord> {
    const id = text(row, "id");
    const tenant = optionalText(row, "tenant_id");
    const grants = await db.all(
      `SELECT grant_json FROM ${this.#ctx.tables.permissions} WHERE subject_kind = 'role' AND subject_id = ? ORDER BY position`,
      [id],
    );
    return {
      id,
      ...(tenant === null ? {} : { tenant }),
      permissions: grants.map((grant) => json(grant, "grant_json") as Grant),
      members: await this.#members(db, id),
      createdAt: integer(row, "created_at"),
      updatedAt: integer(row, "updated_at"),
    };
  }

  async #agents(db: SqlExecutor, ids: readonly string[]): Promise<AgentRecord[]> {
    if (ids.length === 0) return [];
    const { tables } = this.#ctx;
    const list = ids.map(() => "?").join(", ");
    const rows = await db.all(
      `SELECT id, created_at, updated_at FROM ${tables.agents} WHERE id IN (${list}) ORDER BY id`,
      [...ids],
    );
    const keys = await db.all(
      `SELECT agent_id, thumbprint, public_jwk, created_at FROM ${tables.agentKeys} WHERE agent_id IN (${list}) ORDER BY agent_id, created_at, thumbprint`,
      [...ids],
    );
    const states = new Map(
      (await loadAgentStates(this.#ctx, db, ids)).map((state) => [state.id, state]),
    );
    return rows.map((row) => {
      const id = text(row, "id");
      const state = states.get(id);
      return {
        id,
        ...(state?.tenant === undefined ? {} : { tenant: state.tenant }),
        ...(state?.shared ? { shared: true } : {}),
        policy: state?.policy ?? [],
        keys: keys
          .filter((key) => text(key, "agent_id") === id)
          .map((key) => ({
            thumbprint: text(key, "thumbprint"),
            jwk: json(key, "public_jwk") as Ed25519PublicJwk,
            createdAt: integer(key, "created_at"),
          })),
        createdAt: integer(row, "created_at"),
        updatedAt: integer(row, "updated_at"),
      };
    });
  }
}

interface CheckedUser {
  readonly input: PutUserInput;
  readonly grants: readonly Grant[];
  readonly roles: readonly string[];
}

function checkUser(input: PutUserInput): CheckedUser {
  assertId(input.id, "user");
  assertOptionalId(input.tenant, "tenant");
  const roles = [...new Set(input.roles ?? [])];
  for (const role of roles) assertId(role, "role");
  return { input, grants: toGrants(input.permissions ?? []), roles };
}

/** What an admin row says about an identity: the ids it touched, no more. */
function identityFacts(identity: IdentityInput): { issuer: string; subject: string } {
  return { issuer: identity.issuer, subject: identity.subject };
}

/** The WHERE clause of an id-ordered page: the tenant filter (on `tenantColumn`) and the cursor. */
function keyset(
  query: DirectoryQuery,
  tenantColumn: "id" | "tenant_id",
): { where: string; params: SqlValue[]; limit: number } {
  assertOptionalId(query.tenant, "tenant");
  const limit = pageLimit(query.limit);
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (query.tenant !== undefined) {
    where.push(`${tenantColumn} = ?`);
    params.push(query.tenant);
  }
  if (query.cursor !== undefined) {
    where.push("id > ?");
    params.push(decodeCursor(query.cursor, ["string"])[0]);
  }
  return { where: where.length > 0 ? `WHERE ${where.join(" AND ")}` : "", params, limit };
}

export function notFound(kind: string, id: string): WritError {
  return new WritError("store.not_found", `No ${kind} "${id}" in this store; create it first.`, {
    name: id,
  });
}

/** Validates a key to register: Ed25519 public keys only. */
function publicKeyOf(input: PublicKeyInput): PublicKey {
  if (input === null || typeof input !== "object")
    throw new TypeError("A key must be a public JWK, a PublicKey or an agent identity.");
  const jwk =
    "kty" in input
      ? input
      : "publicJwk" in input
        ? input.publicJwk
        : "jwk" in input
          ? input.jwk
          : input.key?.publicJwk;
  return importPublicKey(jwk);
}
