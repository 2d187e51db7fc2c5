/** An HTTP status a problem document carrying a Writ error code can have. */
export type HttpStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 502 | 503 | 504;

/** The `error` of a `WWW-Authenticate` challenge: RFC 6750 §3.1 and RFC 9449 §7.1. */
export type AuthChallenge = "invalid_token" | "invalid_dpop_proof" | "insufficient_scope";

/** The class of the `writ` command's exit code; the CLI gives each class its number. */
export type ExitClass =
  | "failed"
  | "usage"
  | "notFound"
  | "ledgerBroken"
  | "unavailable"
  | "refused";

/** How every surface outside the guard speaks one error code. */
export interface ErrorSpec {
  /** The status of the RFC 9457 problem the Writ server answers with. */
  readonly status: HttpStatus;
  /**
   * How an HTTP resource that refuses a call (the MCP gateway) challenges the
   * caller: 401 with `invalid_token` or `invalid_dpop_proof`, 403 with
   * `insufficient_scope`. null: no challenge; the refusal goes back inside the
   * MCP result, or as a plain 503 when the status is 503.
   */
  readonly challenge: AuthChallenge | null;
  /** The `writ` command's exit code class. */
  readonly exit: ExitClass;
  /** The cause is temporary: the same request may succeed later with nothing else changed. */
  readonly retryable: boolean;
  /**
   * What a model is told. Placeholders: {action}, {path}, {decidedBy}, {code};
   * a [bracketed part] is kept only when every fact in it is known. Never a
   * token, key or argument value, nor the bounds a model could game.
   */
  readonly message: string;
}

const NOT_VALID = "Denied: the call to {action} did not carry valid authorization ({code}).";
const EXPIRED = "Denied: the authorization for {action} has expired.";
const UNAVAILABLE =
  "Denied: the authorization service is unavailable, so {action} was not run. Try again later.";
const FAULT = "Denied: the authorization service failed ({code}), so {action} was not run.";
const REVOKED = "Denied: the authority for {action} has been revoked. Do not retry.";
const BAD_APPROVAL = "Denied: the approval for {action} is not valid for this call.";

// Group shapes. Each says what a code means on every surface at once; an entry
// spreads one and names only what differs (its words, mostly).

/**
 * The writ is not a valid writ for this call. A resource answers 401
 * `invalid_token`: another writ could succeed. The server never takes a writ as
 * its own credential, so there it is a bad request. The CLI reports a refusal.
 */
const INVALID_WRIT = {
  status: 400,
  challenge: "invalid_token",
  exit: "refused",
  retryable: false,
  message: NOT_VALID,
} as const satisfies ErrorSpec;

/** The invocation proof is not valid for this call: RFC 9449's `invalid_dpop_proof`. */
const INVALID_PROOF = { ...INVALID_WRIT, challenge: "invalid_dpop_proof" } as const;

/**
 * The guard (or a service it needs) cannot decide right now. 503 everywhere:
 * the gateway answers it over HTTP rather than as a refusal the model takes as
 * final, the CLI says unavailable, and the model is told to try again later.
 */
const UNAVAILABLE_NOW = {
  status: 503,
  challenge: null,
  exit: "unavailable",
  retryable: true,
  message: UNAVAILABLE,
} as const satisfies ErrorSpec;

/**
 * A refusal by the authority itself: the call is understood and not allowed.
 * 403 at the server; inside the MCP result at the gateway, so the model reads why.
 */
const REFUSED = {
  status: 403,
  challenge: null,
  exit: "refused",
  retryable: false,
  message: NOT_VALID,
} as const satisfies ErrorSpec;

/** Revoked authority: refused by the server, no longer a valid token at a resource. */
const REVOKED_WRIT = { ...REFUSED, challenge: "invalid_token", message: REVOKED } as const;

/** A principal the live state does not know: the writ naming it is not a valid token. */
const UNKNOWN_PRINCIPAL = { ...REFUSED, challenge: "invalid_token" } as const;

/** The server's API caller did not authenticate: 401 (RFC 9110 §15.5.2). */
const NOT_AUTHENTICATED = {
  ...REFUSED,
  status: 401,
  message: "Denied: the call to {action} was not authenticated ({code}).",
} as const;

/** Input the caller can fix: 400, a usage error on the command line. */
const BAD_INPUT = {
  status: 400,
  challenge: null,
  exit: "usage",
  retryable: false,
  message: "Denied: the request for {action} is not valid ({code}).",
} as const satisfies ErrorSpec;

/** Writ's own state is broken and an operator must act: 500, and no retry helps. */
const BROKEN = {
  status: 500,
  challenge: null,
  exit: "failed",
  retryable: false,
  message: FAULT,
} as const satisfies ErrorSpec;

/** Something named does not exist: 404, the CLI's "not found". */
const NOT_FOUND = {
  status: 404,
  challenge: null,
  exit: "notFound",
  retryable: false,
  message: "Denied: something {action} needs does not exist ({code}).",
} as const satisfies ErrorSpec;

/** A failure a person must look at, with no better class: 400 from the server, exit 1. */
const FAILED = {
  status: 400,
  challenge: null,
  exit: "failed",
  retryable: false,
  message: NOT_VALID,
} as const satisfies ErrorSpec;

/**
 * Every error code Writ reports, with how each surface speaks it. Codes are
 * part of the public contract (decisions, ledger rows, HTTP problems, exit
 * codes), so the table only ever gains entries.
 */
const WRIT_ERRORS = {
  // Writ (token) shape, signatures and chain linkage: the writ is not valid.
  "writ.malformed": INVALID_WRIT,
  "writ.too_large": INVALID_WRIT,
  "writ.too_many_hops": INVALID_WRIT,
  "writ.too_many_grants": INVALID_WRIT,
  "writ.too_many_constraints": INVALID_WRIT,
  "writ.bad_header": INVALID_WRIT,
  "writ.unknown_key": INVALID_WRIT,
  "writ.bad_signature": INVALID_WRIT,
  "writ.wrong_issuer": INVALID_WRIT,
  "writ.broken_chain": INVALID_WRIT,
  "writ.key_mismatch": INVALID_WRIT,
  "writ.subject_mismatch": INVALID_WRIT,
  "writ.tenant_mismatch": INVALID_WRIT,
  "writ.depth_exceeded": INVALID_WRIT,
  "writ.broadens": INVALID_WRIT,
  "writ.outlives_parent": INVALID_WRIT,
  "writ.expired": { ...INVALID_WRIT, message: EXPIRED },
  "writ.not_yet_valid": INVALID_WRIT,
  // A hop id names one hop: the server's delegation graph answers a second hop
  // under a recorded id with a conflict (409).
  "writ.jti_reused": { ...INVALID_WRIT, status: 409 },

  // Issuing a root writ: the user and agent share no authority, so nothing is issued.
  "issue.no_authority": {
    ...REFUSED,
    message: "Denied: no authority the user and agent share covers {action}.",
  },

  // Invocation proofs: not valid for this call, except a full replay cache,
  // which is the guard at capacity (a proof that waits a moment gets in).
  "proof.missing": INVALID_PROOF,
  "proof.malformed": INVALID_PROOF,
  "proof.too_large": INVALID_PROOF,
  "proof.bad_header": INVALID_PROOF,
  "proof.bad_signature": INVALID_PROOF,
  "proof.key_mismatch": INVALID_PROOF,
  "proof.expired": { ...INVALID_PROOF, message: EXPIRED },
  "proof.not_yet_valid": INVALID_PROOF,
  "proof.replayed": INVALID_PROOF,
  "proof.replay_cache_full": UNAVAILABLE_NOW,
  "proof.wrong_audience": INVALID_PROOF,
  "proof.wrong_action": INVALID_PROOF,
  "proof.wrong_tool": INVALID_PROOF,
  "proof.args_mismatch": INVALID_PROOF,
  "proof.wrong_writ": INVALID_PROOF,

  // Grants. Grant text and JSON are input. A writ without the action is the one
  // refusal a resource challenges with insufficient_scope (a writ with more
  // authority would help); a failed condition is explained to the model instead.
  // A set that cannot be resolved leaves the guard unable to decide right now.
  "grant.invalid": BAD_INPUT,
  "grant.syntax": BAD_INPUT,
  "grant.action_not_granted": {
    ...REFUSED,
    challenge: "insufficient_scope",
    message:
      "Denied: this agent is not authorized to perform {action}[ (decided by the authority given to {decidedBy})]. Do not retry; tell the user it is not allowed.",
  },
  "grant.condition_failed": {
    ...REFUSED,
    message:
      'Denied: the argument "{path}" is outside what this agent may do for {action}[ (decided by the authority given to {decidedBy})]. Do not retry with other values to get around this; tell the user.',
  },
  "grant.set_unavailable": {
    ...UNAVAILABLE_NOW,
    message:
      'Denied: Writ could not check "{path}" for {action} right now. The call was not made. Try again later.',
  },

  // Budgets (DESIGN §7b): a call that would take a budget over its maximum is
  // refused by the authority until its window resets: a refusal, not a rate
  // limit a client should retry. The model is not told what is left, which it
  // could split calls to fit.
  "budget.exceeded": {
    ...REFUSED,
    message:
      "Denied: {action} would go over a budget on its use[ (set on the authority given to {decidedBy})]. Do not retry or split the call to get around it; tell the user.",
  },
  "budget.amount_invalid": {
    ...REFUSED,
    message:
      'Denied: {action} is limited by a budget that adds up "{path}", and this call does not give it as a number of 0 or more.',
  },

  // Delegation (thrown by delegate(); nothing it signed is returned): refused
  // for want of authority, like issuing. A malformed request is input.
  "delegation.broadens": {
    ...REFUSED,
    message: "Denied: delegating {action} would give more authority than this agent holds.",
  },
  "delegation.depth_exhausted": {
    ...REFUSED,
    message:
      "Denied: this authority may not be delegated further, so {action} cannot be passed on.",
  },
  "delegation.expired": {
    ...REFUSED,
    message: "Denied: the authority to delegate {action} has expired.",
  },
  "delegation.invalid": BAD_INPUT,
  "delegation.too_large": {
    ...REFUSED,
    message:
      "Denied: delegating {action} would make authorization too large for a guard to accept.",
  },

  // Revocation: refused by the server; at a resource the writ is no longer a valid
  // token (RFC 6750 invalid_token), so the client fetches a new one or stops.
  "revoked.hop": REVOKED_WRIT,
  "revoked.agent": REVOKED_WRIT,
  "revoked.user": REVOKED_WRIT,
  "revoked.key": REVOKED_WRIT,
  "revoked.issuer_key": REVOKED_WRIT,
  // A revoked API key of the server. The server itself answers a revoked key as
  // any key it refuses (auth.invalid, 401), so as not to confirm the key existed.
  "revoked.api_key": REVOKED_WRIT,

  // Live state. A view too old or missing is the guard unable to decide now.
  // Principals the live state does not know make the writ invalid; withdrawn
  // permissions and policies are refusals the model is told about.
  "live.stale": UNAVAILABLE_NOW,
  "live.unavailable": UNAVAILABLE_NOW,
  "live.user_unknown": UNKNOWN_PRINCIPAL,
  "live.agent_unknown": UNKNOWN_PRINCIPAL,
  "live.agent_key_unknown": UNKNOWN_PRINCIPAL,
  "live.tenant_mismatch": UNKNOWN_PRINCIPAL,
  "live.permission_denied": {
    ...REFUSED,
    message: "Denied: the user no longer has permission for {action}.",
  },
  "live.policy_denied": {
    ...REFUSED,
    message: "Denied: the policy of {decidedBy} no longer allows {action}.",
  },

  // Approvals: the approval's state conflicts with the call (409). Waiting for a
  // person is not a temporary fault, so nothing here is retryable.
  "approval.required": {
    ...REFUSED,
    status: 409,
    message:
      "{action} needs a human approval before it can run. The request is pending; do not retry until it is decided.",
  },
  "approval.invalid": { ...REFUSED, status: 409, message: BAD_APPROVAL },
  "approval.pending": {
    ...REFUSED,
    status: 409,
    message: "{action} is still waiting for a human approval.",
  },
  "approval.rejected": {
    ...REFUSED,
    status: 409,
    message: "Denied: a human rejected {action}. Do not retry.",
  },
  "approval.consumed": { ...REFUSED, status: 409, message: BAD_APPROVAL },
  "approval.expired": { ...REFUSED, status: 409, message: BAD_APPROVAL },

  // Ledger: unreachable is temporary; a broken chain is the CLI's own exit code.
  "ledger.unavailable": UNAVAILABLE_NOW,
  "ledger.broken": { ...BROKEN, exit: "ledgerBroken" },

  // Stores (databases behind a backend).
  "store.unavailable": UNAVAILABLE_NOW,
  "store.corrupt": BROKEN,
  "store.schema_too_new": BROKEN,
  "store.schema_too_old": BROKEN,
  "store.not_found": NOT_FOUND,
  // The store's file is gone, or cannot be written: an operator must restore
  // it or open it for reading only. Never retried: nothing changes by waiting.
  "store.missing": BROKEN,
  "store.read_only": {
    ...BROKEN,
    status: 409,
    message: "Denied: {action} would change a store that is open for reading only ({code}).",
  },
  "store.conflict": {
    ...FAILED,
    status: 409,
    message: "Denied: {action} conflicts with what is stored ({code}).",
  },

  // Keys: input to the server and the CLI; at a resource, a writ that cannot verify.
  "key.invalid": { ...FAILED, challenge: "invalid_token" },
  "key.unknown": { ...FAILED, challenge: "invalid_token" },
  "key.retired": { ...FAILED, challenge: "invalid_token" },
  // An agent's private key file other users can read: the command refuses to use
  // it (whoever can read it can act as the agent) until it is owner-only.
  "key.file_exposed": {
    ...BAD_INPUT,
    message: "Denied: the agent's key for {action} is readable by others ({code}).",
  },

  // Adapters and gateways. An upstream MCP server that is down or silent is a
  // temporary failure behind the gateway: 502 and 504, as HTTP proxies answer.
  // It comes after the guard allowed the call, so the gateway reports it inside
  // the MCP result; the call may or may not have run there, so say so.
  "tool.unknown": { ...NOT_FOUND, message: "Denied: no tool here performs {action}." },
  "tool.unmapped": {
    ...FAILED,
    message: "Denied: this tool is not mapped to a Writ action, so it cannot be authorized.",
  },
  "upstream.unavailable": {
    ...UNAVAILABLE_NOW,
    status: 502,
    message:
      "The server that runs {action} is unavailable; the call may or may not have completed. Check before you try again later.",
  },
  "upstream.timeout": {
    ...UNAVAILABLE_NOW,
    status: 504,
    message:
      "The server that runs {action} did not answer in time; the call may still complete. Check before you try again later.",
  },
  // The gateway bounds the MCP sessions callers hold: per principal and in all.
  // A new session is refused until one ends (DELETE) or idles out.
  "gateway.mcp_session_limit": {
    ...UNAVAILABLE_NOW,
    status: 429,
    message:
      "Denied: too many MCP sessions are open, so {action} was not run. End unused sessions or try again later.",
  },

  // A request carries a writ or proof both in HTTP headers and in `_meta`, and
  // they differ: the gateway judges neither (RFC 6750 §3.1's invalid_request).
  "gateway.credentials_conflict": {
    ...BAD_INPUT,
    message: "Denied: the request for {action} carried two different credentials ({code}).",
  },

  // The Writ server's HTTP API: requests, API authentication and tenancy.
  "request.invalid": BAD_INPUT,
  "request.too_large": {
    ...FAILED,
    status: 413,
    message: "Denied: the request for {action} is too large.",
  },
  "request.rate_limited": {
    ...UNAVAILABLE_NOW,
    status: 429,
    message: "Denied: too many requests, so {action} was not run. Try again later.",
  },
  "request.not_found": NOT_FOUND,
  "request.unsupported_media_type": {
    ...BAD_INPUT,
    status: 415,
    message: "Denied: the request for {action} was not sent as the media type it takes.",
  },
  "auth.missing": NOT_AUTHENTICATED,
  "auth.invalid": NOT_AUTHENTICATED,
  "auth.forbidden": { ...REFUSED, message: "Denied: this caller may not perform {action}." },
  "server.internal": BROKEN,

  // Token exchange (RFC 8693): a subject or actor token the server will not take
  // is RFC 6749's invalid_grant, a 400; the identity provider down is temporary.
  "token.invalid": { ...REFUSED, status: 400 },
  "token.expired": { ...REFUSED, status: 400, message: EXPIRED },
  "token.not_yet_valid": { ...REFUSED, status: 400 },
  "token.wrong_issuer": { ...REFUSED, status: 400 },
  "token.wrong_audience": { ...REFUSED, status: 400 },
  "token.replayed": { ...REFUSED, status: 400 },
  "token.unsupported": { ...REFUSED, status: 400 },
  "idp.unavailable": UNAVAILABLE_NOW,

  // The OAuth authorization server for stock MCP clients (RFC 6749, 7591, 8707):
  // each code is the RFC's `error` of the same name, a 400 (401 for the client).
  "oauth.invalid_request": BAD_INPUT,
  "oauth.invalid_client": { ...BAD_INPUT, status: 401 },
  "oauth.invalid_client_metadata": BAD_INPUT,
  "oauth.invalid_grant": { ...REFUSED, status: 400 },
  "oauth.invalid_target": BAD_INPUT,
  "oauth.invalid_scope": BAD_INPUT,
  "oauth.access_denied": REFUSED,

  // Access tokens at the MCP gateway: a token it will not take is 401
  // invalid_token, so the client asks the authorization server again.
  "oauth.token_invalid": INVALID_WRIT,
  "oauth.token_expired": { ...INVALID_WRIT, message: EXPIRED },
  "oauth.token_wrong_audience": INVALID_WRIT,
  // A DPoP-bound token sent as a bearer token (RFC 9449 §7.2): a bearer token it is not.
  "oauth.token_dpop_bound": INVALID_WRIT,

  // DPoP proofs (RFC 9449) of OAuth clients, at the token endpoint (400
  // invalid_dpop_proof) and at the gateway (401 invalid_dpop_proof).
  "dpop.missing": INVALID_PROOF,
  "dpop.malformed": INVALID_PROOF,
  "dpop.bad_signature": INVALID_PROOF,
  "dpop.wrong_request": INVALID_PROOF,
  "dpop.wrong_token": INVALID_PROOF,
  "dpop.stale": { ...INVALID_PROOF, message: EXPIRED },
  "dpop.replayed": INVALID_PROOF,
  "dpop.replay_cache_full": UNAVAILABLE_NOW,
  "dpop.key_mismatch": INVALID_PROOF,

  // Identities from identity providers: a token whose person is not linked to a
  // Writ user, or whose email address the provider may not vouch for, is
  // invalid_grant like the token codes (400).
  "identity.not_linked": { ...REFUSED, status: 400 },
  "identity.email_unverified": { ...REFUSED, status: 400 },
  "identity.email_domain_not_allowed": { ...REFUSED, status: 400 },

  // Delegated provider credentials (@writ/broker). A connection that does not
  // exist is not found; one that no longer works conflicts with the call; the
  // user declining, or a token asked for outside an allowed call, is a refusal;
  // a provider down is temporary, a provider answering with an error is a bad
  // gateway answer no retry fixes.
  "credential.not_connected": {
    ...NOT_FOUND,
    message: "Denied: the user has not connected the account {action} needs; ask the user to.",
  },
  "credential.broken": {
    ...FAILED,
    status: 409,
    message: "Denied: the connection {action} needs no longer works; the user must connect again.",
  },
  "credential.no_scopes": {
    ...FAILED,
    message: "Denied: no provider access is configured for {action}.",
  },
  "credential.scope_not_granted": {
    ...FAILED,
    message:
      "Denied: the user's connection was not granted what {action} needs; the user must connect again.",
  },
  "credential.outside_call": {
    ...REFUSED,
    message: "Denied: provider tokens are handed out only inside an allowed call.",
  },
  "credential.call_expired": {
    ...REFUSED,
    message: "Denied: the allowed call for {action} has ended, so it gets no provider token.",
  },
  "credential.provider_unavailable": {
    ...UNAVAILABLE_NOW,
    message: "Denied: the provider {action} needs is unavailable. Try again later.",
  },
  "credential.provider_error": {
    ...FAILED,
    status: 502,
    message: "Denied: the provider {action} needs answered with an error.",
  },
  "credential.state_invalid": {
    ...FAILED,
    message: "Denied: this connect attempt is not valid; start connecting again.",
  },
  "credential.connect_denied": {
    ...REFUSED,
    message: "Denied: the user declined to connect the account {action} needs.",
  },

  // The guard failed closed on a fault it cannot name, mostly a backend failing
  // in a way it did not classify: unavailable, as the guard tells the model.
  "guard.internal": UNAVAILABLE_NOW,
} as const satisfies Readonly<Record<string, ErrorSpec>>;

/** Every failure Writ reports carries a stable `code` from this registry. */
export type WritErrorCode = keyof typeof WRIT_ERRORS;

/** Every error code, in the registry's order. */
export const WRIT_ERROR_CODES: readonly WritErrorCode[] = Object.freeze(
  Object.keys(WRIT_ERRORS) as WritErrorCode[],
);

/** Whether `value` is one of Writ's error codes (an answer from elsewhere may not be). */
export function isWritErrorCode(value: unknown): value is WritErrorCode {
  return typeof value === "string" && Object.hasOwn(WRIT_ERRORS, value);
}

/** How every surface speaks `code`. */
export function errorSpec(code: WritErrorCode): ErrorSpec {
  if (!isWritErrorCode(code)) {
    throw new TypeError("Not a Writ error code: use one of WRIT_ERROR_CODES.");
  }
  return WRIT_ERRORS[code];
}
