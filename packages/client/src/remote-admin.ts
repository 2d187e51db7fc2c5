import { type Approval, type JsonWebKeySet, type Revocation, Writ, WritError } from "@writ/core";
import type {
  AgentKeyRecord,
  AgentRecord,
  ApiKeyInfo,
  ApiKeyQuery,
  ApprovalQuery,
  ApprovalVerdict,
  BudgetUsage,
  BudgetUsageQuery,
  ConsistencyProof,
  CreateApiKeyInput,
  DelegationNode,
  DirectoryQuery,
  ExportFormat,
  GrantsInput,
  IdentityInput,
  IssuedApiKey,
  IssueInput,
  LedgerEvidence,
  LedgerPage,
  LedgerQuery,
  LedgerVerification,
  LinkedIdentity,
  Page,
  PublicKeyInput,
  PutAgentInput,
  PutRoleInput,
  PutUserInput,
  RevocationQuery,
  RevokeInput,
  RoleRecord,
  SignedTreeHead,
  StoreAdmin,
  StoredPayload,
  TenantRecord,
  UserRecord,
  VerifyLedgerOptions,
  WhatIfInput,
  WhatIfReport,
} from "@writ/core/backend";
import { HttpTransport, type RemoteOptions } from "./http-transport.js";
import { publicJwkOf } from "./public-key-input.js";

/** An issuer key as the server lists it. */
export interface IssuerKeyInfo {
  readonly kid: string;
  readonly status: "active" | "verifying" | "retired";
  readonly jwk: JsonWebKeySet["keys"][number];
}

/**
 * The admin API of a remote store: StoreAdmin over HTTP, except
 * issuerKeys(), since the issuer's private keys never leave the server
 * (issuerKeyInfo() lists the public keys with their status).
 */
export type RemoteStoreAdmin = Omit<StoreAdmin, "issuerKeys">;

const path = (...segments: string[]) => segments.map(encodeURIComponent).join("/");

/** Administers a Writ server with an admin API key: users, roles, agents, keys, writs, revocations, approvals, the ledger. */
export class RemoteAdmin implements RemoteStoreAdmin {
  readonly #http: HttpTransport;

  constructor(options: RemoteOptions) {
    this.#http = new HttpTransport(options);
  }

  // ── Tenants ──────────────────────────────────────────────────────────────

  putTenant(id: string): Promise<TenantRecord> {
    return this.#http.json("PUT", `/v1/tenants/${path(id)}`);
  }

  async listTenants(query: DirectoryQuery = {}): Promise<Page<TenantRecord>> {
    return this.#page("tenants", "/v1/tenants", query);
  }

  // ── Users and roles ──────────────────────────────────────────────────────

  putUser(input: PutUserInput): Promise<UserRecord> {
    const { id, ...body } = input;
    return this.#http.json("PUT", `/v1/users/${path(id)}`, { body });
  }

  setUserPermissions(id: string, permissions: GrantsInput): Promise<UserRecord> {
    return this.#http.json("PUT", `/v1/users/${path(id)}/permissions`, { body: { permissions } });
  }

  getUser(id: string): Promise<UserRecord | undefined> {
    return this.#http.optional("GET", `/v1/users/${path(id)}`);
  }

  listUsers(query: DirectoryQuery = {}): Promise<Page<UserRecord>> {
    return this.#page("users", "/v1/users", query);
  }

  async removeUser(id: string): Promise<boolean> {
    return (await this.#http.json<{ removed: boolean }>("DELETE", `/v1/users/${path(id)}`)).removed;
  }

  linkIdentity(user: string, identity: IdentityInput): Promise<LinkedIdentity> {
    const { issuer, subject } = identity;
    return this.#http.json("PUT", `/v1/users/${path(user)}/identities`, {
      body: { issuer, subject },
    });
  }

  async unlinkIdentity(user: string, identity: IdentityInput): Promise<boolean> {
    const { issuer, subject } = identity;
    return (
      await this.#http.json<{ removed: boolean }>("DELETE", `/v1/users/${path(user)}/identities`, {
        query: { issuer, subject },
      })
    ).removed;
  }

  userForIdentity(identity: IdentityInput): Promise<UserRecord | undefined> {
    const { issuer, subject } = identity;
    return this.#http.optional("GET", "/v1/identities", { query: { issuer, subject } });
  }

  provisionUser(input: PutUserInput, identity: IdentityInput): Promise<UserRecord> {
    const { issuer, subject } = identity;
    return this.#http.json("POST", "/v1/users", {
      body: { ...input, identity: { issuer, subject } },
    });
  }

  putRole(input: PutRoleInput): Promise<RoleRecord> {
    const { id, ...body } = input;
    return this.#http.json("PUT", `/v1/roles/${path(id)}`, { body });
  }

  getRole(id: string): Promise<RoleRecord | undefined> {
    return this.#http.optional("GET", `/v1/roles/${path(id)}`);
  }

  listRoles(query: DirectoryQuery = {}): Promise<Page<RoleRecord>> {
    return this.#page("roles", "/v1/roles", query);
  }

  async removeRole(id: string): Promise<boolean> {
    return (await this.#http.json<{ removed: boolean }>("DELETE", `/v1/roles/${path(id)}`)).removed;
  }

  async assignRole(user: string, role: string): Promise<void> {
    await this.#http.json("PUT", `/v1/users/${path(user)}/roles/${path(role)}`);
  }

  async unassignRole(user: string, role: string): Promise<boolean> {
    return (
      await this.#http.json<{ removed: boolean }>(
        "DELETE",
        `/v1/users/${path(user)}/roles/${path(role)}`,
      )
    ).removed;
  }

  // ── Agents ───────────────────────────────────────────────────────────────

  putAgent(input: PutAgentInput): Promise<AgentRecord> {
    const { id, keys, ...body } = input;
    return this.#http.json("PUT", `/v1/agents/${path(id)}`, {
      body: { ...body, ...(keys === undefined ? {} : { keys: keys.map(publicJwkOf) }) },
    });
  }

  setAgentPolicy(id: string, policy: GrantsInput): Promise<AgentRecord> {
    return this.#http.json("PUT", `/v1/agents/${path(id)}/policy`, { body: { policy } });
  }

  getAgent(id: string): Promise<AgentRecord | undefined> {
    return this.#http.optional("GET", `/v1/agents/${path(id)}`);
  }

  listAgents(query: DirectoryQuery = {}): Promise<Page<AgentRecord>> {
    return this.#page("agents", "/v1/agents", query);
  }

  async removeAgent(id: string): Promise<boolean> {
    return (await this.#http.json<{ removed: boolean }>("DELETE", `/v1/agents/${path(id)}`))
      .removed;
  }

  async addAgentKey(agent: string, key: PublicKeyInput): Promise<AgentKeyRecord> {
    const jwk = publicJwkOf(key);
    return this.#http.json("POST", `/v1/agents/${path(agent)}/keys`, { body: { jwk } });
  }

  async removeAgentKey(agent: string, thumbprint: string): Promise<boolean> {
    return (
      await this.#http.json<{ removed: boolean }>(
        "DELETE",
        `/v1/agents/${path(agent)}/keys/${path(thumbprint)}`,
      )
    ).removed;
  }

  // ── Issuer keys, issuing and revoking ────────────────────────────────────

  issuerJwks(): Promise<JsonWebKeySet> {
    return this.#http.json("GET", "/.well-known/jwks.json");
  }

  /** The issuer id and its keys that verify, with their status. */
  issuerKeyInfo(): Promise<{ readonly issuer: string; readonly keys: readonly IssuerKeyInfo[] }> {
    return this.#http.json("GET", "/v1/keys");
  }

  async rotateIssuerKey(): Promise<string> {
    return (await this.#http.json<{ kid: string }>("POST", "/v1/keys/rotate")).kid;
  }

  async retireIssuerKey(kid: string): Promise<void> {
    await this.#http.json("POST", `/v1/keys/${path(kid)}/retire`);
  }

  async issue(input: IssueInput): Promise<Writ> {
    const { writ } = await this.#http.json<{ writ: string }>("POST", "/v1/writs", { body: input });
    return Writ.parse(writ);
  }

  /** The server records the revocation as made by this client's API key; `by` is not sent. */
  revoke(input: RevokeInput): Promise<Revocation> {
    const { kind, id, reason } = input;
    return this.#http.json("POST", "/v1/revocations", {
      body: { kind, id, ...(reason === undefined ? {} : { reason }) },
    });
  }

  listRevocations(query: RevocationQuery = {}): Promise<Page<Revocation>> {
    return this.#page("revocations", "/v1/revocations", query);
  }

  // ── API keys ─────────────────────────────────────────────────────────────

  /** The server names this client's API key as the creator; `by` is not sent. */
  createApiKey(input: CreateApiKeyInput = {}): Promise<IssuedApiKey> {
    const { by: _by, ...body } = input;
    return this.#http.json("POST", "/v1/api-keys", { body });
  }

  getApiKey(id: string): Promise<ApiKeyInfo | undefined> {
    return this.#http.optional("GET", `/v1/api-keys/${path(id)}`);
  }

  listApiKeys(query: ApiKeyQuery = {}): Promise<Page<ApiKeyInfo>> {
    return this.#page("apiKeys", "/v1/api-keys", query);
  }

  // ── Budgets ──────────────────────────────────────────────────────────────

  async budgetUsage(query: BudgetUsageQuery = {}): Promise<BudgetUsage[]> {
    return (
      await this.#http.json<{ usage: BudgetUsage[] }>("GET", "/v1/budgets", {
        query: { ...query },
      })
    ).usage;
  }

  // ── Approvals ────────────────────────────────────────────────────────────

  listApprovals(query: ApprovalQuery = {}): Promise<Page<Approval>> {
    return this.#page("approvals", "/v1/approvals", query);
  }

  approve(id: string, verdict: ApprovalVerdict): Promise<Approval> {
    return this.#http.json("POST", `/v1/approvals/${path(id)}/approve`, { body: verdict });
  }

  reject(id: string, verdict: ApprovalVerdict): Promise<Approval> {
    return this.#http.json("POST", `/v1/approvals/${path(id)}/reject`, { body: verdict });
  }

  // ── Ledger ───────────────────────────────────────────────────────────────

  queryLedger(query: LedgerQuery = {}): Promise<LedgerPage> {
    return this.#http.json("GET", "/v1/ledger", { query: ledgerParams(query) });
  }

  verifyLedger(options: VerifyLedgerOptions = {}): Promise<LedgerVerification> {
    return options.against
      ? this.#http.json("POST", "/v1/ledger/verify", { body: { against: options.against } })
      : this.#http.json("GET", "/v1/ledger/verify");
  }

  async treeHead(): Promise<SignedTreeHead | undefined> {
    return (
      (await this.#http.json<{ treeHead: SignedTreeHead | null }>("GET", "/v1/ledger/tree-head"))
        .treeHead ?? undefined
    );
  }

  async signTreeHead(): Promise<SignedTreeHead | undefined> {
    return (
      (await this.#http.json<{ treeHead: SignedTreeHead | null }>("POST", "/v1/ledger/tree-head"))
        .treeHead ?? undefined
    );
  }

  ledgerEvidence(eventId: string): Promise<LedgerEvidence> {
    return this.#http.json("GET", `/v1/ledger/evidence/${path(eventId)}`);
  }

  consistencyProof(size1: number, size2?: number): Promise<ConsistencyProof> {
    return this.#http.json("GET", "/v1/ledger/consistency", {
      query: { size1, ...(size2 === undefined ? {} : { size2 }) },
    });
  }

  /** Streams the export line by line (each ending in "\n"), never holding more than a chunk. */
  async *exportLedger(
    format: ExportFormat,
    query: Omit<LedgerQuery, "cursor" | "limit"> = {},
  ): AsyncGenerator<string, void, undefined> {
    const response = await this.#http.send("GET", "/v1/ledger/export", {
      query: { ...ledgerParams(query), format },
      stream: true,
    });
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffered = "";
    try {
      for await (const chunk of response.body) {
        buffered += decoder.decode(chunk as Uint8Array, { stream: true });
        let newline = buffered.indexOf("\n");
        while (newline >= 0) {
          yield buffered.slice(0, newline + 1);
          buffered = buffered.slice(newline + 1);
          newline = buffered.indexOf("\n");
        }
      }
    } catch (error) {
      throw new WritError("store.unavailable", "The export was cut off before its end.", {}, error);
    }
    if (buffered.length > 0) {
      throw new WritError("store.unavailable", "The export was cut off in the middle of a line.");
    }
  }

  getPayload(hash: string): Promise<StoredPayload | undefined> {
    return this.#http.optional("GET", `/v1/ledger/payloads/${path(hash)}`);
  }

  async erasePayload(hash: string): Promise<boolean> {
    return (
      await this.#http.json<{ erased: boolean }>("DELETE", `/v1/ledger/payloads/${path(hash)}`)
    ).erased;
  }

  async #page<T>(key: string, route: string, query: object): Promise<Page<T>> {
    const answer = await this.#http.json<Record<string, unknown>>("GET", route, {
      query: { ...(query as Record<string, string | number | undefined>) },
    });
    const items = answer[key] as T[];
    return typeof answer.nextCursor === "string"
      ? { items, nextCursor: answer.nextCursor }
      : { items };
  }

  whatIf(input: WhatIfInput): Promise<WhatIfReport> {
    return this.#http.json("POST", "/v1/policies/what-if", { body: input });
  }

  delegationTree(rootJti: string): Promise<DelegationNode | undefined> {
    if (typeof rootJti !== "string" || rootJti.length === 0) {
      return Promise.reject(new TypeError("delegationTree needs a root hop's jti."));
    }
    return this.#http.optional("GET", `/v1/delegations/${path(rootJti)}`);
  }
}

export function remoteAdmin(options: RemoteOptions): RemoteAdmin {
  return new RemoteAdmin(options);
}

/** A ledger query as URL parameters: the one boolean filter as text. */
function ledgerParams({
  withoutOutcome,
  ...query
}: LedgerQuery): Record<string, string | number | undefined> {
  return {
    ...query,
    ...(withoutOutcome === undefined ? {} : { withoutOutcome: String(withoutOutcome) }),
  };
}
