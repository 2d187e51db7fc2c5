import type { Approval, ApprovalStatus } from "../approval.js";
import type { Grant } from "../grants/grant.js";
import type { IssuerKeySet } from "../keys/issuer-keys.js";
import type { Ed25519PublicJwk, JsonWebKeySet } from "../keys/jwk.js";
import type { ConsistencyProof } from "../ledger/tree/consistency-proof.js";
import type { LedgerEvidence } from "../ledger/tree/ledger-evidence.js";
import type { SignedTreeHead } from "../ledger/tree/signed-tree-head.js";
import type { Revocation, RevocationKind } from "../live/live-state.js";
import type { Writ } from "../writ/writ.js";
import type {
  ApiKeyInfo,
  ApiKeyQuery,
  CreateApiKeyInput,
  IssuedApiKey,
} from "./api-key-records.js";
import type { DelegationRecord } from "./backend.js";
import type { BudgetScope, BudgetUsage } from "./budget-reservation.js";
import type { ExportFormat, ExportOptions } from "./export-format.js";
import type { LedgerPage, LedgerQuery } from "./ledger-query.js";
import type { LedgerVerification, VerifyLedgerOptions } from "./ledger-verification.js";
import type { Page, PageQuery } from "./page.js";
import type { WhatIfInput, WhatIfReport } from "./what-if.js";

/** Grants as JSON or in the compact text form (`refunds.approve(amount < 5000); email.send`). */
export type GrantsInput = readonly Grant[] | string;

/** A public key to register: a public JWK, a KeyPair or PublicKey, or an agent identity. */
export type PublicKeyInput =
  | Ed25519PublicJwk
  | { readonly publicJwk: Ed25519PublicJwk }
  | { readonly jwk: Ed25519PublicJwk }
  | { readonly key: { readonly publicJwk: Ed25519PublicJwk } };

export interface TenantRecord {
  readonly id: string;
  readonly createdAt: number;
}

/** A person at an identity provider: the provider's `iss` and the value of the claim that names them there. */
export interface IdentityInput {
  /** The identity provider's issuer identifier, exactly as its tokens carry it in `iss`. */
  readonly issuer: string;
  /** The value of the provider's user claim (`sub` unless the provider's claims mapping names another). */
  readonly subject: string;
}

/** An identity linked to a user: the token exchange turns it into that user. */
export interface LinkedIdentity extends IdentityInput {
  readonly linkedAt: number;
}

export interface UserRecord {
  readonly id: string;
  readonly tenant?: string;
  /** Grants given to the user directly. */
  readonly permissions: readonly Grant[];
  readonly roles: readonly string[];
  /** What guards enforce: direct grants ∪ the grants of every role. */
  readonly effectivePermissions: readonly Grant[];
  /** Identities at identity providers that the token exchange turns into this user. */
  readonly identities: readonly LinkedIdentity[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface RoleRecord {
  readonly id: string;
  readonly tenant?: string;
  readonly permissions: readonly Grant[];
  readonly members: readonly string[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface AgentKeyRecord {
  readonly thumbprint: string;
  readonly jwk: Ed25519PublicJwk;
  readonly createdAt: number;
}

export interface AgentRecord {
  readonly id: string;
  readonly tenant?: string;
  /** Serves the users of every tenant (an MCP gateway, say); such an agent has no tenant. */
  readonly shared?: boolean;
  readonly policy: readonly Grant[];
  readonly keys: readonly AgentKeyRecord[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface PutUserInput {
  readonly id: string;
  readonly tenant?: string;
  /** Direct grants; replaces the user's direct grants. Default none. */
  readonly permissions?: GrantsInput;
  /** Role ids; replaces the user's roles. Default none. Every role must exist. */
  readonly roles?: readonly string[];
}

export interface PutRoleInput {
  readonly id: string;
  readonly tenant?: string;
  readonly permissions: GrantsInput;
}

export interface PutAgentInput {
  readonly id: string;
  readonly tenant?: string;
  /**
   * The agent serves the users of every tenant, as infrastructure the
   * deployment runs for all of them (the MCP gateway's agent, say): guards
   * accept it in any tenant's chain. It cannot also have a tenant, and on the
   * Writ server only an operator key (one confined to no tenant) may set it.
   */
  readonly shared?: boolean;
  /** The grants the agent may ever use. */
  readonly policy: GrantsInput;
  /** Public keys to register (added to any already registered). */
  readonly keys?: readonly PublicKeyInput[];
}

export interface IssueInput {
  readonly user: string;
  readonly agent: string;
  /** Thumbprint of the agent key to bind; needed only when the agent has several keys. */
  readonly key?: string;
  /** Narrows the writ below permissions ∩ policy. */
  readonly grants?: GrantsInput;
  /** Lifetime in seconds. Default 900. */
  readonly ttl?: number;
  /** Further hops allowed below the root. Default 3. */
  readonly maxDepth?: number;
}

export interface RevokeInput {
  readonly kind: RevocationKind;
  /** Hop jti, agent id, user id, key thumbprint, issuer key id or API key id. */
  readonly id: string;
  readonly reason?: string;
  /** Who revoked (an operator, an API key id, an agent): recorded in the ledger. */
  readonly by?: string;
}

export interface ApprovalQuery extends PageQuery {
  /** Default "pending" (pending and not yet expired). */
  readonly status?: ApprovalStatus;
  readonly user?: string;
  /** Only this tenant's requests. */
  readonly tenant?: string;
}

/** A page of users, roles, agents or tenants, in id order. */
export interface DirectoryQuery extends PageQuery {
  /** Only this tenant's (for tenants: only this tenant). */
  readonly tenant?: string;
}

export interface RevocationQuery extends PageQuery {
  /**
   * Only what this tenant may see: the revocations of its users, agents,
   * agent keys and API keys, and every hop and issuer-key revocation (those
   * without their reason, free text another tenant may have written).
   */
  readonly tenant?: string;
  readonly kind?: RevocationKind;
}

export interface ApprovalVerdict {
  /** Who decided: a user id or an operator name. */
  readonly by: string;
  readonly reason?: string;
}

export interface StoredPayload {
  readonly hash: string;
  /** The stored (possibly redacted) body; absent once erased. */
  readonly body?: unknown;
  readonly erased: boolean;
  readonly storedAt: number;
  readonly erasedAt?: number;
}

export interface BudgetUsageQuery {
  readonly scope?: BudgetScope;
  /** A hop jti, user id or agent id. */
  readonly subject?: string;
}

/** A hop in the delegation tree, with everything delegated from it. */
export interface DelegationNode extends DelegationRecord {
  /** This hop or one above it is revoked: nothing below can be used. */
  readonly revoked: boolean;
  readonly children: readonly DelegationNode[];
}

/**
 * Administration of a Writ store: the directory (users, roles, agents, keys),
 * issuing and revoking, approvals, and the audit ledger. Every change that
 * guards must enforce reaches their live views through the store's feed.
 */
export interface StoreAdmin {
  putTenant(id: string): Promise<TenantRecord>;
  listTenants(query?: DirectoryQuery): Promise<Page<TenantRecord>>;

  putUser(input: PutUserInput): Promise<UserRecord>;
  setUserPermissions(id: string, permissions: GrantsInput): Promise<UserRecord>;
  getUser(id: string): Promise<UserRecord | undefined>;
  listUsers(query?: DirectoryQuery): Promise<Page<UserRecord>>;
  removeUser(id: string): Promise<boolean>;
  /**
   * Links an identity at an identity provider to an existing user, so the
   * token exchange turns that provider's tokens for it into this user.
   * store.conflict when the identity is linked to another user.
   */
  linkIdentity(user: string, identity: IdentityInput): Promise<LinkedIdentity>;
  unlinkIdentity(user: string, identity: IdentityInput): Promise<boolean>;
  /** The user an identity is linked to. */
  userForIdentity(identity: IdentityInput): Promise<UserRecord | undefined>;
  /**
   * Creates a user already linked to an identity, in one step (just-in-time
   * provisioning): store.conflict when the user id exists or the identity is
   * linked, so an identity never takes over a user it was not linked to.
   */
  provisionUser(input: PutUserInput, identity: IdentityInput): Promise<UserRecord>;

  putRole(input: PutRoleInput): Promise<RoleRecord>;
  getRole(id: string): Promise<RoleRecord | undefined>;
  listRoles(query?: DirectoryQuery): Promise<Page<RoleRecord>>;
  removeRole(id: string): Promise<boolean>;
  assignRole(user: string, role: string): Promise<void>;
  unassignRole(user: string, role: string): Promise<boolean>;

  putAgent(input: PutAgentInput): Promise<AgentRecord>;
  setAgentPolicy(id: string, policy: GrantsInput): Promise<AgentRecord>;
  getAgent(id: string): Promise<AgentRecord | undefined>;
  listAgents(query?: DirectoryQuery): Promise<Page<AgentRecord>>;
  removeAgent(id: string): Promise<boolean>;
  addAgentKey(agent: string, key: PublicKeyInput): Promise<AgentKeyRecord>;
  removeAgentKey(agent: string, thumbprint: string): Promise<boolean>;

  /** The issuer's key set (created on first use). Holds private keys: pass it to guards and issuers only. */
  issuerKeys(): Promise<IssuerKeySet>;
  /** The issuer's public keys, for `/.well-known/jwks.json`. */
  issuerJwks(): Promise<JsonWebKeySet>;
  rotateIssuerKey(): Promise<string>;
  retireIssuerKey(kid: string): Promise<void>;

  /** Issues a root writ: the user's current permissions ∩ the agent's policy, optionally narrowed. */
  issue(input: IssueInput): Promise<Writ>;
  /** Revokes permanently; every watching guard enforces it. Revoking twice returns the first revocation. */
  revoke(input: RevokeInput): Promise<Revocation>;
  listRevocations(query?: RevocationQuery): Promise<Page<Revocation>>;

  /** Creates an API key for the Writ server: `key` is returned once; the store keeps its hash. */
  createApiKey(input?: CreateApiKeyInput): Promise<IssuedApiKey>;
  getApiKey(id: string): Promise<ApiKeyInfo | undefined>;
  listApiKeys(query?: ApiKeyQuery): Promise<Page<ApiKeyInfo>>;

  listApprovals(query?: ApprovalQuery): Promise<Page<Approval>>;
  approve(id: string, verdict: ApprovalVerdict): Promise<Approval>;
  reject(id: string, verdict: ApprovalVerdict): Promise<Approval>;

  queryLedger(query?: LedgerQuery): Promise<LedgerPage>;
  /**
   * Recomputes every chain, checkpoint and the Merkle tree; with `against`
   * (tree heads kept outside the store) also proves no covered row was removed;
   * `onProgress` hears how far it is after each page.
   */
  verifyLedger(options?: VerifyLedgerOptions): Promise<LedgerVerification>;
  /** The newest signed tree head, if any. */
  treeHead(): Promise<SignedTreeHead | undefined>;
  /** Places every committed row in the tree and signs a tree head if it grew; resolves to the newest. */
  signTreeHead(): Promise<SignedTreeHead | undefined>;
  /** Evidence of one row (by event id) that verifies without the ledger (verifyLedgerEvidence). */
  ledgerEvidence(eventId: string): Promise<LedgerEvidence>;
  /** A proof that the tree of `size1` rows is a prefix of the tree of `size2` (default: the whole tree). */
  consistencyProof(size1: number, size2?: number): Promise<ConsistencyProof>;
  exportLedger(
    format: ExportFormat,
    query?: Omit<LedgerQuery, "cursor" | "limit">,
    options?: ExportOptions,
  ): AsyncIterable<string>;
  getPayload(hash: string): Promise<StoredPayload | undefined>;
  /** Erases a stored input or output; the chain, which holds only its hash, still verifies. */
  erasePayload(hash: string): Promise<boolean>;

  /**
   * Replays the latest recorded decisions of the principals a grant change
   * affects, under the current grants and the proposed ones: what the change
   * would allow or refuse, call by call, before it is saved.
   */
  whatIf(input: WhatIfInput): Promise<WhatIfReport>;

  /**
   * What the budgets' current windows hold, of one hop (jti), user or agent
   * (`subject`), optionally of one scope; every open window when no query.
   */
  budgetUsage(query?: BudgetUsageQuery): Promise<BudgetUsage[]>;

  /** The hops delegated under a root hop, as a tree. */
  delegationTree(rootJti: string): Promise<DelegationNode | undefined>;
}
