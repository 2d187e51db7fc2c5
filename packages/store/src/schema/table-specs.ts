/**
 * The one definition of Writ's tables. `sqlite-schema.ts` and
 * `postgres-schema.ts` turn it into drizzle tables for each dialect, and
 * drizzle-kit generates both dialects' migrations from those.
 *
 * Three column types cover everything: `text` (ids, hashes and JSON, stored
 * as canonical JSON text so both dialects hand back the exact bytes that were
 * hashed), `integer` (epoch ms, sequence numbers: 64-bit) and `real`.
 */
export type ColumnType = "text" | "integer" | "real";

export interface ColumnSpec {
  readonly type: ColumnType;
  readonly notNull?: boolean;
  /** A single-column primary key (implies not null). */
  readonly primaryKey?: boolean;
}

export interface TableSpec {
  readonly name: string;
  readonly columns: Readonly<Record<string, ColumnSpec>>;
  /** A composite primary key. */
  readonly primaryKey?: readonly string[];
  readonly unique?: Readonly<Record<string, readonly string[]>>;
  readonly indexes?: Readonly<Record<string, readonly string[]>>;
}

const id = { type: "text", primaryKey: true } as const;
const text = { type: "text", notNull: true } as const;
const optionalText = { type: "text" } as const;
const integer = { type: "integer", notNull: true } as const;
const optionalInteger = { type: "integer" } as const;

export const TABLE_SPECS = {
  tenants: {
    name: "writ_tenants",
    columns: { id, created_at: integer },
  },
  users: {
    name: "writ_users",
    columns: { id, tenant_id: optionalText, created_at: integer, updated_at: integer },
    indexes: { writ_users_tenant: ["tenant_id"] },
  },
  /**
   * Identities at external identity providers linked to users: the token
   * exchange turns an (issuer, subject) it verified into the user linked
   * here, never into a user whose id merely equals the subject.
   */
  userIdentities: {
    name: "writ_user_identities",
    columns: { issuer: text, subject: text, user_id: text, created_at: integer },
    primaryKey: ["issuer", "subject"],
    indexes: { writ_user_identities_user: ["user_id"] },
  },
  roles: {
    name: "writ_roles",
    columns: { id, tenant_id: optionalText, created_at: integer, updated_at: integer },
    indexes: { writ_roles_tenant: ["tenant_id", "id"] },
  },
  roleMembers: {
    name: "writ_role_members",
    columns: { role_id: text, user_id: text, created_at: integer },
    primaryKey: ["role_id", "user_id"],
    indexes: { writ_role_members_user: ["user_id"] },
  },
  /** Grants held directly by a user or by a role (subject_kind "user" | "role"), in order. */
  permissions: {
    name: "writ_permissions",
    columns: { subject_kind: text, subject_id: text, position: integer, grant_json: text },
    primaryKey: ["subject_kind", "subject_id", "position"],
  },
  /** `shared` is 1 for an agent that serves every tenant (then it has no tenant_id). */
  agents: {
    name: "writ_agents",
    columns: {
      id,
      tenant_id: optionalText,
      shared: optionalInteger,
      created_at: integer,
      updated_at: integer,
    },
    indexes: { writ_agents_tenant: ["tenant_id", "id"] },
  },
  agentPolicies: {
    name: "writ_agent_policies",
    columns: { agent_id: text, position: integer, grant_json: text },
    primaryKey: ["agent_id", "position"],
  },
  agentKeys: {
    name: "writ_agent_keys",
    columns: { thumbprint: id, agent_id: text, public_jwk: text, created_at: integer },
    indexes: { writ_agent_keys_agent: ["agent_id"] },
  },
  /** The issuer's signing keys. Holds private keys: protect the database like a secret store. */
  issuerKeys: {
    name: "writ_issuer_keys",
    columns: { kid: id, issuer: text, status: text, private_jwk: text, created_at: integer },
  },
  /** The delegation graph: every hop issued or seen by a guard. */
  hops: {
    name: "writ_hops",
    columns: {
      jti: id,
      parent_jti: optionalText,
      user_id: text,
      tenant_id: optionalText,
      from_agent: optionalText,
      to_agent: text,
      issuer: text,
      grants_json: text,
      issued_at: integer,
      expires_at: integer,
      recorded_at: integer,
    },
    indexes: { writ_hops_parent: ["parent_jti"] },
  },
  revocations: {
    name: "writ_revocations",
    columns: { kind: text, target_id: text, seq: integer, at: integer, reason: optionalText },
    primaryKey: ["kind", "target_id"],
  },
  /** Every change to live state, by sequence number: what watchers catch up from. */
  liveChanges: {
    name: "writ_live_changes",
    columns: { seq: { type: "integer", primaryKey: true }, at: integer, change_json: text },
  },
  /** One row (id 1): the last live sequence number; its row lock orders changes across processes. */
  liveCounter: {
    name: "writ_live_counter",
    columns: { id: { type: "integer", primaryKey: true }, seq: integer },
  },
  approvals: {
    name: "writ_approvals",
    columns: {
      id,
      call_id: text,
      action: text,
      args_hash: text,
      leaf_hash: text,
      tool: text,
      user_id: text,
      agent_id: text,
      tenant_id: optionalText,
      chain_json: text,
      requested_at: integer,
      expires_at: integer,
      status: text,
      decided_by: optionalText,
      decided_at: optionalInteger,
      reason: optionalText,
    },
    indexes: {
      writ_approvals_call: ["call_id"],
      writ_approvals_status: ["status", "requested_at"],
      writ_approvals_tenant: ["tenant_id", "status", "requested_at"],
    },
  },
  /** One row per writer chain, with the public key its checkpoints are signed with. */
  ledgerChains: {
    name: "writ_ledger_chains",
    columns: { chain_id: id, started_at: integer, key_thumbprint: text, public_jwk: text },
  },
  ledger: {
    name: "writ_ledger",
    columns: {
      chain_id: text,
      seq: integer,
      id: text,
      time: integer,
      tenant_id: optionalText,
      kind: text,
      call_id: optionalText,
      user_id: optionalText,
      agent_id: optionalText,
      chain_json: optionalText,
      action: optionalText,
      tool: optionalText,
      adapter: optionalText,
      decision: optionalText,
      reason: optionalText,
      outcome: optionalText,
      error: optionalText,
      duration_ms: { type: "real" },
      input_hash: optionalText,
      output_hash: optionalText,
      detail_json: optionalText,
      prev_hash: text,
      hash: text,
    },
    primaryKey: ["chain_id", "seq"],
    unique: { writ_ledger_id: ["id"] },
    indexes: {
      writ_ledger_time: ["time", "chain_id", "seq"],
      writ_ledger_call: ["call_id"],
      writ_ledger_user: ["user_id", "time"],
      writ_ledger_agent: ["agent_id", "time"],
    },
  },
  /** Inputs and outputs, keyed by hash outside the chain: erasing one never breaks verification. */
  ledgerPayloads: {
    name: "writ_ledger_payloads",
    columns: { hash: id, body_json: optionalText, stored_at: integer, erased_at: optionalInteger },
  },
  ledgerCheckpoints: {
    name: "writ_ledger_checkpoints",
    columns: {
      chain_id: text,
      seq: integer,
      hash: text,
      time: integer,
      key_thumbprint: text,
      signature: text,
    },
    primaryKey: ["chain_id", "seq"],
  },
  /**
   * The ledger's Merkle tree in one global order (RFC 9162): runs of
   * consecutive rows of one chain, each given the next leaf positions by the
   * sequencer after they commit. Append-only.
   */
  ledgerTreeSegments: {
    name: "writ_ledger_tree_segments",
    columns: {
      tree_start: { type: "integer", primaryKey: true },
      chain_id: text,
      first_seq: integer,
      row_count: integer,
      sequenced_at: integer,
    },
    indexes: { writ_ledger_tree_segments_chain: ["chain_id", "first_seq"] },
  },
  /** Hashes of the tree's perfect subtrees of 256 leaves and more, so a proof never hashes more than 255 leaves. Append-only. */
  ledgerTreeNodes: {
    name: "writ_ledger_tree_nodes",
    columns: { level: integer, idx: integer, hash: text },
    primaryKey: ["level", "idx"],
  },
  /** Signed tree heads: the tree's size and root, signed by a writer's key. Append-only. */
  ledgerTreeHeads: {
    name: "writ_ledger_tree_heads",
    columns: {
      tree_size: { type: "integer", primaryKey: true },
      root_hash: text,
      time: integer,
      signer: text,
      key_thumbprint: text,
      signature: text,
    },
  },
  /** One row (id 1): the tree's size and the roots of its perfect subtrees. Its row lock makes sequencers take turns. */
  ledgerTreeState: {
    name: "writ_ledger_tree_state",
    columns: { id: { type: "integer", primaryKey: true }, tree_size: integer, peaks_json: text },
  },
  /** How far each writer chain is in the tree; `finished_at` once its writer closed with every row in it. */
  ledgerTreeChains: {
    name: "writ_ledger_tree_chains",
    columns: { chain_id: id, next_seq: integer, finished_at: optionalInteger },
  },
  /**
   * Users' OAuth connections to downstream providers (@writ/broker). Token
   * columns hold ciphertext sealed by the broker (AES-256-GCM under a
   * key-encryption key the database never sees); `*_key_id` names that key.
   */
  credentialConnections: {
    name: "writ_credential_connections",
    columns: {
      id,
      user_id: text,
      tenant_id: optionalText,
      provider: text,
      status: text,
      scopes_json: text,
      refresh_token: optionalText,
      refresh_key_id: optionalText,
      version: integer,
      created_at: integer,
      updated_at: integer,
      refreshed_at: optionalInteger,
      broken_at: optionalInteger,
      broken_reason: optionalText,
      lease_owner: optionalText,
      lease_until: optionalInteger,
    },
    unique: { writ_credential_connections_user_provider: ["user_id", "provider"] },
    indexes: { writ_credential_connections_key: ["refresh_key_id"] },
  },
  /** Access tokens minted per connection and scope set, sealed. */
  credentialTokens: {
    name: "writ_credential_tokens",
    columns: {
      connection_id: text,
      scope_key: text,
      token: text,
      key_id: text,
      token_type: text,
      created_at: integer,
      expires_at: integer,
    },
    primaryKey: ["connection_id", "scope_key"],
    indexes: { writ_credential_tokens_key: ["key_id"] },
  },
  /** Connect flows awaiting the provider's callback, by the hash of their single-use state. */
  credentialPending: {
    name: "writ_credential_pending",
    columns: {
      state_hash: id,
      provider: text,
      user_id: text,
      tenant_id: optionalText,
      scopes_json: text,
      verifier: text,
      key_id: text,
      created_at: integer,
      expires_at: integer,
    },
    indexes: {
      writ_credential_pending_expiry: ["expires_at"],
      writ_credential_pending_key: ["key_id"],
    },
  },
  /**
   * The server's API keys: a SHA-256 hash of each secret, never the secret.
   * A key's revocation is a row of writ_revocations (kind "api_key"), so it
   * reaches every server instance through the live feed.
   */
  apiKeys: {
    name: "writ_api_keys",
    columns: {
      id,
      tenant_id: optionalText,
      scopes_json: text,
      hash: text,
      label: optionalText,
      created_by: optionalText,
      created_at: integer,
      expires_at: optionalInteger,
      last_used_at: optionalInteger,
    },
    indexes: { writ_api_keys_tenant: ["tenant_id", "id"] },
  },
  /** Console sign-ins by the hash of their cookie's secret (never the secret). */
  consoleSessions: {
    name: "writ_console_sessions",
    columns: {
      id_hash: id,
      subject: text,
      tenant_id: optionalText,
      role: text,
      api_key_id: optionalText,
      created_at: integer,
      expires_at: integer,
    },
    indexes: { writ_console_sessions_expiry: ["expires_at"] },
  },
  /**
   * Budget counters (DESIGN §7b): what each budget's fixed window holds. One
   * row per (budget, window), changed only by a conditional update that keeps
   * `used` within `max`, so concurrent reservations from any process or
   * instance can never take it over.
   */
  budgetCounters: {
    name: "writ_budget_counters",
    columns: {
      budget_key: text,
      window_start: integer,
      window_ms: integer,
      scope: text,
      subject: text,
      budget: text,
      max: { type: "real", notNull: true },
      used: { type: "real", notNull: true },
      updated_at: integer,
    },
    primaryKey: ["budget_key", "window_start"],
    indexes: { writ_budget_counters_subject: ["subject", "window_start"] },
  },
  /**
   * What each reservation taken on its own (reserveBudgets: a remote guard's,
   * through the server) holds of each counter, until released. A reservation
   * committed with its decision row (reserveAndAppend) is recorded in that row
   * instead.
   */
  budgetReservations: {
    name: "writ_budget_reservations",
    columns: {
      id: text,
      budget_key: text,
      window_start: integer,
      amount: { type: "real", notNull: true },
      call_id: text,
      reserved_at: integer,
      released_at: optionalInteger,
    },
    primaryKey: ["id", "budget_key"],
  },
  /**
   * The reservations recorded in their decision rows that were given back:
   * one row each, written only by the release, so a second release finds it
   * and gives nothing back again.
   */
  budgetReleases: {
    name: "writ_budget_releases",
    columns: { id, released_at: integer },
  },
  /**
   * The OAuth authorization server's state (MCP clients), shared by every
   * server instance: registered clients, authorization requests in flight,
   * codes and refresh-token families. Codes and refresh tokens by their hash
   * only; `data` is the server's JSON.
   */
  oauthClients: {
    name: "writ_oauth_clients",
    columns: { client_id: id, data: text, created_at: integer },
  },
  oauthRequests: {
    name: "writ_oauth_requests",
    columns: {
      id,
      browser_hash: text,
      data: text,
      user_id: optionalText,
      expires_at: integer,
    },
    indexes: { writ_oauth_requests_expiry: ["expires_at"] },
  },
  /** A code is redeemed by setting `redeemed_family` where it is null: once, whichever instance. */
  oauthCodes: {
    name: "writ_oauth_codes",
    columns: {
      code_hash: id,
      data: text,
      expires_at: integer,
      redeemed_family: optionalText,
    },
    indexes: { writ_oauth_codes_expiry: ["expires_at"] },
  },
  /** A refresh token rotates by replacing `current_hash` where it still holds the one presented. */
  oauthFamilies: {
    name: "writ_oauth_families",
    columns: {
      id,
      client_id: text,
      data: text,
      dpop_jkt: optionalText,
      current_hash: text,
      expires_at: integer,
      revoked_at: optionalInteger,
    },
  },
  /** Every refresh token a family has had, current and rotated: a rotated one presented again is a reuse. */
  oauthRefreshTokens: {
    name: "writ_oauth_refresh_tokens",
    columns: { token_hash: id, family_id: text },
    indexes: { writ_oauth_refresh_tokens_family: ["family_id"] },
  },
  /** The writs (root hop jti) issued under each family, revoked with it. */
  oauthFamilyWrits: {
    name: "writ_oauth_family_writs",
    columns: { jti: id, family_id: text },
    indexes: { writ_oauth_family_writs_family: ["family_id"] },
  },
} as const satisfies Readonly<Record<string, TableSpec>>;

export type TableName = keyof typeof TABLE_SPECS;
