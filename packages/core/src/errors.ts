/**
 * Every failure Writ reports carries a stable `code` from this union. Codes are
 * part of the public contract: decisions, ledger rows, HTTP problems and CLI exit
 * paths all speak them, so they only ever gain members.
 */
export type WritErrorCode =
  // Writ (token) shape, signatures and chain linkage.
  | "writ.malformed"
  | "writ.too_large"
  | "writ.too_many_hops"
  | "writ.too_many_grants"
  | "writ.too_many_constraints"
  | "writ.bad_header"
  | "writ.unknown_key"
  | "writ.bad_signature"
  | "writ.wrong_issuer"
  | "writ.broken_chain"
  | "writ.key_mismatch"
  | "writ.subject_mismatch"
  | "writ.tenant_mismatch"
  | "writ.depth_exceeded"
  | "writ.broadens"
  | "writ.outlives_parent"
  | "writ.expired"
  | "writ.not_yet_valid"
  // Issuing a root writ.
  | "issue.no_authority"
  // Invocation proofs.
  | "proof.missing"
  | "proof.malformed"
  | "proof.too_large"
  | "proof.bad_header"
  | "proof.bad_signature"
  | "proof.key_mismatch"
  | "proof.expired"
  | "proof.not_yet_valid"
  | "proof.replayed"
  | "proof.replay_cache_full"
  | "proof.wrong_audience"
  | "proof.wrong_action"
  | "proof.wrong_tool"
  | "proof.args_mismatch"
  | "proof.wrong_writ"
  // Grants and their conditions.
  | "grant.invalid"
  | "grant.syntax"
  | "grant.action_not_granted"
  | "grant.condition_failed"
  | "grant.set_unavailable"
  // Delegation (thrown by delegate() before anything is signed).
  | "delegation.broadens"
  | "delegation.depth_exhausted"
  | "delegation.expired"
  | "delegation.invalid"
  // Revocation.
  | "revoked.hop"
  | "revoked.agent"
  | "revoked.user"
  | "revoked.key"
  | "revoked.issuer_key"
  // Live state: current permissions and policies, freshness.
  | "live.stale"
  | "live.unavailable"
  | "live.user_unknown"
  | "live.agent_unknown"
  | "live.agent_key_unknown"
  | "live.permission_denied"
  | "live.policy_denied"
  | "live.tenant_mismatch"
  // Approvals.
  | "approval.required"
  | "approval.invalid"
  | "approval.pending"
  | "approval.rejected"
  | "approval.consumed"
  | "approval.expired"
  // Ledger.
  | "ledger.unavailable"
  | "ledger.broken"
  // Stores (databases behind a backend).
  | "store.unavailable"
  | "store.corrupt"
  | "store.schema_too_new"
  | "store.schema_too_old"
  | "store.not_found"
  | "store.conflict"
  // Keys.
  | "key.invalid"
  | "key.unknown"
  | "key.retired"
  // Adapters and gateways: a tool with no action, an upstream server down or silent.
  | "tool.unknown"
  | "tool.unmapped"
  | "upstream.unavailable"
  | "upstream.timeout"
  // The Writ server's HTTP API: requests, API authentication and tenancy.
  | "request.invalid"
  | "request.too_large"
  | "request.rate_limited"
  | "request.not_found"
  | "auth.missing"
  | "auth.invalid"
  | "auth.forbidden"
  | "server.internal"
  // Token exchange (RFC 8693): the identity provider's subject token and the agent's actor token.
  | "token.invalid"
  | "token.expired"
  | "token.not_yet_valid"
  | "token.wrong_issuer"
  | "token.wrong_audience"
  | "token.replayed"
  | "token.unsupported"
  | "idp.unavailable"
  // Delegated provider credentials (@writ/broker): OAuth connections to third-party APIs.
  | "credential.not_connected"
  | "credential.broken"
  | "credential.no_scopes"
  | "credential.scope_not_granted"
  | "credential.outside_call"
  | "credential.call_expired"
  | "credential.provider_unavailable"
  | "credential.provider_error"
  | "credential.state_invalid"
  | "credential.connect_denied"
  // Guard configuration and internal faults.
  | "guard.internal";

/** Structured, non-secret facts about a failure. Never holds tokens, keys or argument values. */
export interface WritErrorDetails {
  /** Index of the hop (0 = root) the failure belongs to. */
  readonly hop?: number;
  /** Index of the grant within its list. */
  readonly grant?: number;
  /** The grant's action, printed in the compact text form where useful. */
  readonly action?: string;
  /** Dotted argument path of the failing constraint. */
  readonly path?: string;
  /** Operator of the failing constraint. */
  readonly operator?: string;
  /** Agent the failure is about. */
  readonly agent?: string;
  /** Name of a set, a key id, or another identifier that is not a secret. */
  readonly name?: string;
  readonly [key: string]: unknown;
}

export class WritError extends Error {
  override readonly name = "WritError";
  readonly code: WritErrorCode;
  readonly details: WritErrorDetails;

  constructor(
    code: WritErrorCode,
    message: string,
    details: WritErrorDetails = {},
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.details = details;
  }
}

export function isWritError(value: unknown): value is WritError {
  return value instanceof WritError;
}
