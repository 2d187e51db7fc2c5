import {
  type Approval,
  type ApprovalBinding,
  type ApprovalConsumption,
  type ApprovalDecisionInput,
  type ApprovalRequest,
  type Backend,
  type CredentialStore,
  type DelegationRecord,
  type IssuerKeySet,
  issueWrit,
  type JsonWebKeySet,
  KeyPair,
  type LedgerAppend,
  type LedgerDetail,
  type LedgerEntry,
  type LedgerRecord,
  type LiveSink,
  type LiveWatch,
  REVOCATION_KINDS,
  type Revocation,
  uuidV7,
  type Writ,
  WritError,
} from "@writ/core";
import { ApprovalStore } from "./approvals/approval-store.js";
import { SqlCredentialStore } from "./credentials/sql-credential-store.js";
import { DelegationGraph } from "./delegations/delegation-graph.js";
import { assertId } from "./directory/assert-id.js";
import { Directory, notFound } from "./directory/directory.js";
import { IssuerKeyStore } from "./directory/issuer-key-store.js";
import { type ExportFormat, exportLines } from "./exports/export-ledger.js";
import { type LedgerPage, type LedgerQuery, queryLedger } from "./ledger/ledger-query.js";
import { LedgerWriter } from "./ledger/ledger-writer.js";
import { type LedgerVerification, verifyLedger } from "./ledger/verify-ledger.js";
import { LiveChangeLog, revocationOf } from "./live/live-change-log.js";
import type { LiveFeed } from "./live/live-feed.js";
import { integer, optionalInteger, optionalText, text } from "./sql/row-values.js";
import type {
  AgentKeyRecord,
  AgentRecord,
  ApprovalQuery,
  ApprovalVerdict,
  DelegationNode,
  GrantsInput,
  IssueInput,
  PublicKeyInput,
  PutAgentInput,
  PutRoleInput,
  PutUserInput,
  RevokeInput,
  RoleRecord,
  StoreAdmin,
  StoredPayload,
  TenantRecord,
  UserRecord,
} from "./store-admin.js";
import type { StoreContext } from "./store-context.js";
import { positiveInteger, type StoreOptions } from "./store-options.js";

const MAX_TARGET_LENGTH = 256;
const MAX_REASON_LENGTH = 500;

/**
 * A Writ store on SQL: the Backend guards use (live feed, ledger, approvals,
 * delegation graph) and the admin API on top of it. `sqliteBackend()` and
 * `postgresBackend()` open one; the dialects differ only in their driver and
 * live feed.
 */
export class StoreBackend implements Backend, StoreAdmin {
  readonly #ctx: StoreContext;
  readonly #log: LiveChangeLog;
  readonly #feed: LiveFeed;
  readonly #writer: LedgerWriter;
  readonly #directory: Directory;
  readonly #approvals: ApprovalStore;
  readonly #delegations: DelegationGraph;
  readonly #issuerKeys: IssuerKeyStore;
  /**
   * Users' OAuth connections for the credential broker (@writ/broker), whose
   * token columns hold only what the broker sealed.
   */
  readonly credentials: CredentialStore;
  #closing: Promise<void> | undefined;

  /** @internal open one with sqliteBackend() or postgresBackend() */
  constructor(ctx: StoreContext, feed: (log: LiveChangeLog) => LiveFeed, options: StoreOptions) {
    this.#ctx = ctx;
    let deliver: LiveFeed["deliver"] = () => undefined;
    this.#log = new LiveChangeLog(ctx, (changes) => deliver(changes));
    this.#feed = feed(this.#log);
    deliver = (changes) => this.#feed.deliver(changes);
    this.#writer = new LedgerWriter(ctx, {
      chainId: uuidV7(ctx.clock, ctx.random),
      checkpointKey: options.checkpointKey ?? KeyPair.generate(),
      checkpointEvery: positiveInteger(options.checkpointEvery, 1000, "checkpointEvery"),
      checkpointIntervalMs: positiveInteger(
        options.checkpointIntervalMs,
        60_000,
        "checkpointIntervalMs",
      ),
      maxBatchRows: positiveInteger(options.maxBatchRows, 1000, "maxBatchRows"),
      redact: options.redact,
    });
    this.#directory = new Directory(ctx, this.#log);
    this.#approvals = new ApprovalStore(ctx);
    this.#delegations = new DelegationGraph(ctx);
    const issuer = options.issuer ?? "writ";
    assertId(issuer, "issuer");
    this.#issuerKeys = new IssuerKeyStore(ctx, issuer);
    this.credentials = new SqlCredentialStore(ctx);
  }

  /** This writer's ledger chain: every row this instance appends is in it. */
  get chainId(): string {
    return this.#writer.chainId;
  }

  // ── Backend ──────────────────────────────────────────────────────────────

  watch(sink: LiveSink): Promise<LiveWatch> {
    return this.#feed.watch(sink);
  }

  append(appends: readonly LedgerAppend[]): Promise<readonly LedgerRecord[]> {
    return this.#writer.append(appends);
  }

  async recordDelegations(records: readonly DelegationRecord[]): Promise<void> {
    const fresh = await this.#delegations.record(this.#ctx.driver, records);
    if (fresh.length === 0) return;
    const time = this.#ctx.clock();
    await this.#writer.append(
      fresh.map((record) => ({
        entry: {
          kind: "delegation",
          time,
          tenant: record.tenant ?? undefined,
          user: record.user,
          agent: record.toAgent,
          detail: { jti: record.jti, parentJti: record.parentJti, fromAgent: record.fromAgent },
        },
      })),
    );
  }

  requestApproval(
    request: ApprovalRequest,
  ): Promise<{ readonly approval: Approval; readonly created: boolean }> {
    return this.#approvals.request(request);
  }

  decideApproval(id: string, decision: ApprovalDecisionInput): Promise<Approval> {
    return this.#approvals.decide(id, decision);
  }

  consumeApproval(id: string, binding: ApprovalBinding, at: number): Promise<ApprovalConsumption> {
    return this.#approvals.consume(id, binding, at);
  }

  getApproval(id: string): Promise<Approval | undefined> {
    return this.#approvals.get(id);
  }

  /** Writes queued rows and a final checkpoint, stops the live feed and closes the database. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        await this.#writer.close();
      } finally {
        await this.#feed.close();
        await this.#ctx.driver.close();
      }
    })();
    return this.#closing;
  }

  // ── Directory ────────────────────────────────────────────────────────────

  putTenant(id: string): Promise<TenantRecord> {
    return this.#directory.putTenant(id);
  }

  listTenants(): Promise<TenantRecord[]> {
    return this.#directory.listTenants();
  }

  async putUser(input: PutUserInput): Promise<UserRecord> {
    const user = await this.#directory.putUser(input);
    await this.#audit("put_user", { user: user.id });
    return user;
  }

  async setUserPermissions(id: string, permissions: GrantsInput): Promise<UserRecord> {
    const user = await this.#directory.setUserPermissions(id, permissions);
    await this.#audit("set_user_permissions", { user: id });
    return user;
  }

  getUser(id: string): Promise<UserRecord | undefined> {
    return this.#directory.getUser(id);
  }

  listUsers(options?: { readonly tenant?: string }): Promise<UserRecord[]> {
    return this.#directory.listUsers(options);
  }

  async removeUser(id: string): Promise<boolean> {
    const removed = await this.#directory.removeUser(id);
    if (removed) await this.#audit("remove_user", { user: id });
    return removed;
  }

  async putRole(input: PutRoleInput): Promise<RoleRecord> {
    const role = await this.#directory.putRole(input);
    await this.#audit("put_role", { role: role.id });
    return role;
  }

  getRole(id: string): Promise<RoleRecord | undefined> {
    return this.#directory.getRole(id);
  }

  listRoles(): Promise<RoleRecord[]> {
    return this.#directory.listRoles();
  }

  async removeRole(id: string): Promise<boolean> {
    const removed = await this.#directory.removeRole(id);
    if (removed) await this.#audit("remove_role", { role: id });
    return removed;
  }

  async assignRole(user: string, role: string): Promise<void> {
    await this.#directory.assignRole(user, role);
    await this.#audit("assign_role", { user, role });
  }

  async unassignRole(user: string, role: string): Promise<boolean> {
    const removed = await this.#directory.unassignRole(user, role);
    if (removed) await this.#audit("unassign_role", { user, role });
    return removed;
  }

  async putAgent(input: PutAgentInput): Promise<AgentRecord> {
    const agent = await this.#directory.putAgent(input);
    await this.#audit("put_agent", { agent: agent.id });
    return agent;
  }

  async setAgentPolicy(id: string, policy: GrantsInput): Promise<AgentRecord> {
    const agent = await this.#directory.setAgentPolicy(id, policy);
    await this.#audit("set_agent_policy", { agent: id });
    return agent;
  }

  getAgent(id: string): Promise<AgentRecord | undefined> {
    return this.#directory.getAgent(id);
  }

  listAgents(options?: { readonly tenant?: string }): Promise<AgentRecord[]> {
    return this.#directory.listAgents(options);
  }

  async removeAgent(id: string): Promise<boolean> {
    const removed = await this.#directory.removeAgent(id);
    if (removed) await this.#audit("remove_agent", { agent: id });
    return removed;
  }

  async addAgentKey(agent: string, key: PublicKeyInput): Promise<AgentKeyRecord> {
    const record = await this.#directory.addAgentKey(agent, key);
    await this.#audit("add_agent_key", { agent, key: record.thumbprint });
    return record;
  }

  async removeAgentKey(agent: string, thumbprint: string): Promise<boolean> {
    const removed = await this.#directory.removeAgentKey(agent, thumbprint);
    if (removed) await this.#audit("remove_agent_key", { agent, key: thumbprint });
    return removed;
  }

  // ── Issuer keys, issuing and revoking ────────────────────────────────────

  issuerKeys(): Promise<IssuerKeySet> {
    return this.#issuerKeys.load();
  }

  async issuerJwks(): Promise<JsonWebKeySet> {
    return (await this.#issuerKeys.load()).jwks();
  }

  async rotateIssuerKey(): Promise<string> {
    const kid = await this.#issuerKeys.rotate();
    await this.#audit("rotate_issuer_key", { kid });
    return kid;
  }

  async retireIssuerKey(kid: string): Promise<void> {
    await this.#issuerKeys.retire(kid);
    await this.#audit("retire_issuer_key", { kid });
  }

  async issue(input: IssueInput): Promise<Writ> {
    assertId(input.user, "user");
    assertId(input.agent, "agent");
    const user = await this.#directory.userState(input.user);
    if (!user) throw notFound("user", input.user);
    const agent = await this.#directory.agentState(input.agent);
    if (!agent) throw notFound("agent", input.agent);
    if (user.tenant !== agent.tenant) {
      throw new WritError(
        "live.tenant_mismatch",
        `User "${user.id}" and agent "${agent.id}" belong to different tenants.`,
        {
          agent: agent.id,
        },
      );
    }
    const key = input.key ?? (agent.keys.length === 1 ? agent.keys[0] : undefined);
    if (key === undefined) {
      throw new TypeError(
        agent.keys.length === 0
          ? `Agent "${agent.id}" has no registered key: add one with addAgentKey() before issuing.`
          : `Agent "${agent.id}" has ${agent.keys.length} keys: pass the thumbprint of the one to bind as "key".`,
      );
    }
    if (!agent.keys.includes(key)) {
      throw new WritError(
        "live.agent_key_unknown",
        `That key is not registered for agent "${agent.id}".`,
        { agent: agent.id },
      );
    }
    const issuer = await this.#issuerKeys.load();
    await this.#assertNotRevoked([
      ["user", user.id],
      ["agent", agent.id],
      ["key", key],
      ["issuer_key", issuer.active.kid],
    ]);
    const writ = issueWrit({
      issuer,
      user: { id: user.id, permissions: user.permissions },
      agent: { id: agent.id, thumbprint: key, policy: agent.policy },
      ...(input.grants === undefined ? {} : { grants: input.grants }),
      ...(user.tenant === undefined ? {} : { tenant: user.tenant }),
      ...(input.ttl === undefined ? {} : { ttl: input.ttl }),
      ...(input.maxDepth === undefined ? {} : { maxDepth: input.maxDepth }),
      clock: this.#ctx.clock,
      random: this.#ctx.random,
    });
    const { claims } = writ.root;
    await this.#delegations.record(this.#ctx.driver, [
      {
        jti: claims.jti,
        parentJti: null,
        user: claims.sub,
        tenant: claims.tnt ?? null,
        fromAgent: null,
        toAgent: claims.aud,
        issuer: claims.iss,
        grants: claims.grants,
        issuedAt: claims.iat,
        expiresAt: claims.exp,
      },
    ]);
    await this.#writer.append([
      {
        entry: {
          kind: "issue",
          time: this.#ctx.clock(),
          tenant: claims.tnt,
          user: claims.sub,
          agent: claims.aud,
          chain: { agents: [claims.aud], hops: [claims.jti] },
          detail: { jti: claims.jti, kid: issuer.active.kid, expiresAt: claims.exp },
        },
      },
    ]);
    return writ;
  }

  async revoke(input: RevokeInput): Promise<Revocation> {
    if (input === null || typeof input !== "object")
      throw new TypeError("revoke needs { kind, id, reason?, by? }.");
    const { kind, id, reason, by } = input;
    if (
      by !== undefined &&
      (typeof by !== "string" || by.length === 0 || by.length > MAX_TARGET_LENGTH)
    ) {
      throw new TypeError(
        `A revocation's "by" names who revoked, in 1–${MAX_TARGET_LENGTH} characters.`,
      );
    }
    if (!REVOCATION_KINDS.includes(kind)) {
      throw new TypeError(`Unknown revocation kind: use one of ${REVOCATION_KINDS.join(", ")}.`);
    }
    if (typeof id !== "string" || id.length === 0 || id.length > MAX_TARGET_LENGTH) {
      throw new TypeError(
        `A revocation needs the id of what to revoke (1–${MAX_TARGET_LENGTH} characters).`,
      );
    }
    if (reason !== undefined && (typeof reason !== "string" || reason.length > MAX_REASON_LENGTH)) {
      throw new TypeError(
        `A revocation reason must be a string of at most ${MAX_REASON_LENGTH} characters.`,
      );
    }
    const { tables, clock } = this.#ctx;
    const { revocation, created } = await this.#log.change(async (tx, emit) => {
      const [existing] = await tx.all(
        `SELECT kind, target_id, seq, at, reason FROM ${tables.revocations} WHERE kind = ? AND target_id = ?`,
        [kind, id],
      );
      if (existing) return { revocation: revocationOf(existing), created: false };
      const at = clock();
      const change = emit((seq) => ({
        seq,
        type: "revocation",
        revocation: { kind, id, seq, at, ...(reason === undefined ? {} : { reason }) },
      }));
      await tx.run(
        `INSERT INTO ${tables.revocations} (kind, target_id, seq, at, reason) VALUES (?, ?, ?, ?, ?)`,
        [kind, id, change.seq, at, reason ?? null],
      );
      return {
        revocation: (change as Extract<typeof change, { type: "revocation" }>).revocation,
        created: true,
      };
    });
    if (created) {
      try {
        await this.#writer.append([
          {
            entry: {
              kind: "revocation",
              time: revocation.at,
              ...(kind === "user" ? { user: id } : {}),
              ...(kind === "agent" ? { agent: id } : {}),
              detail: {
                target: kind,
                id,
                seq: revocation.seq,
                ...(reason === undefined ? {} : { reason }),
                ...(by === undefined ? {} : { by }),
              },
            },
          },
        ]);
      } catch (error) {
        throw new WritError(
          "ledger.unavailable",
          "The revocation is in effect, but its ledger row could not be written.",
          { name: kind },
          error,
        );
      }
    }
    return revocation;
  }

  async listRevocations(): Promise<Revocation[]> {
    const rows = await this.#ctx.driver.all(
      `SELECT kind, target_id, seq, at, reason FROM ${this.#ctx.tables.revocations} ORDER BY seq`,
    );
    return rows.map(revocationOf);
  }

  // ── Approvals ────────────────────────────────────────────────────────────

  listApprovals(query?: ApprovalQuery): Promise<Approval[]> {
    return this.#approvals.list(query);
  }

  approve(id: string, verdict: ApprovalVerdict): Promise<Approval> {
    return this.#decide(id, true, verdict);
  }

  reject(id: string, verdict: ApprovalVerdict): Promise<Approval> {
    return this.#decide(id, false, verdict);
  }

  // ── Ledger ───────────────────────────────────────────────────────────────

  queryLedger(query?: LedgerQuery): Promise<LedgerPage> {
    return queryLedger(this.#ctx, this.#ctx.driver, query);
  }

  verifyLedger(): Promise<LedgerVerification> {
    return verifyLedger(this.#ctx, this.#ctx.driver);
  }

  exportLedger(
    format: ExportFormat,
    query: Omit<LedgerQuery, "cursor" | "limit"> = {},
  ): AsyncIterable<string> {
    return exportLines(format, query, (page) => this.queryLedger(page));
  }

  async getPayload(hash: string): Promise<StoredPayload | undefined> {
    const [row] = await this.#ctx.driver.all(
      `SELECT hash, body_json, stored_at, erased_at FROM ${this.#ctx.tables.ledgerPayloads} WHERE hash = ?`,
      [hash],
    );
    if (!row) return undefined;
    const body = optionalText(row, "body_json");
    const erasedAt = optionalInteger(row, "erased_at");
    return {
      hash: text(row, "hash"),
      ...(body === null ? {} : { body: JSON.parse(body) as unknown }),
      erased: erasedAt !== null,
      storedAt: integer(row, "stored_at"),
      ...(erasedAt === null ? {} : { erasedAt }),
    };
  }

  async erasePayload(hash: string): Promise<boolean> {
    if (typeof hash !== "string" || !/^[0-9a-f]{64}$/.test(hash)) {
      throw new TypeError(
        "erasePayload needs the payload's hex SHA-256 hash, as the ledger row records it.",
      );
    }
    const erased =
      (await this.#ctx.driver.run(
        `UPDATE ${this.#ctx.tables.ledgerPayloads} SET body_json = NULL, erased_at = ? WHERE hash = ? AND erased_at IS NULL`,
        [this.#ctx.clock(), hash],
      )) > 0;
    if (erased) await this.#audit("erase_payload", { hash });
    return erased;
  }

  delegationTree(rootJti: string): Promise<DelegationNode | undefined> {
    if (typeof rootJti !== "string" || rootJti.length === 0)
      throw new TypeError("delegationTree needs a root hop's jti.");
    return this.#delegations.tree(rootJti);
  }

  // ── Internals ────────────────────────────────────────────────────────────

  async #decide(id: string, approved: boolean, verdict: ApprovalVerdict): Promise<Approval> {
    if (typeof verdict?.by !== "string" || verdict.by.length === 0) {
      throw new TypeError("Say who decided: { by: <user id or operator name> }.");
    }
    const at = this.#ctx.clock();
    const approval = await this.#approvals.decide(id, {
      approved,
      by: verdict.by,
      at,
      ...(verdict.reason === undefined ? {} : { reason: verdict.reason }),
    });
    await this.#writer.append([
      {
        entry: {
          kind: "approval",
          time: at,
          tenant: approval.tenant,
          callId: approval.callId,
          user: approval.user,
          agent: approval.agent,
          action: approval.action,
          tool: approval.tool,
          decision: approved ? "allow" : "deny",
          reason: approved ? "approval.granted" : "approval.rejected",
          inputHash: Buffer.from(approval.argsHash, "base64url").toString("hex"),
          detail: {
            approvalId: id,
            by: verdict.by,
            ...(verdict.reason ? { reason: verdict.reason } : {}),
          },
        },
      },
    ]);
    return approval;
  }

  async #assertNotRevoked(
    targets: readonly (readonly [Revocation["kind"], string])[],
  ): Promise<void> {
    const where = targets.map(() => "(kind = ? AND target_id = ?)").join(" OR ");
    const [row] = await this.#ctx.driver.all(
      `SELECT kind FROM ${this.#ctx.tables.revocations} WHERE ${where} ORDER BY seq LIMIT 1`,
      targets.flat(),
    );
    if (row) {
      const kind = text(row, "kind") as Revocation["kind"];
      throw new WritError(
        `revoked.${kind}`,
        `Cannot issue: the ${kind.replace("_", " ")} is revoked.`,
      );
    }
  }

  /** Records an administrative change in the ledger, after it took effect. */
  async #audit(op: string, facts: Record<string, string>): Promise<void> {
    const entry: LedgerEntry = {
      kind: "admin",
      time: this.#ctx.clock(),
      ...(facts.user === undefined ? {} : { user: facts.user }),
      ...(facts.agent === undefined ? {} : { agent: facts.agent }),
      detail: { op, ...facts } satisfies LedgerDetail,
    };
    await this.#writer.append([{ entry }]);
  }
}
