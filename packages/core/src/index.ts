/**
 * @writ/core for applications: writs, sessions and delegation, grants, the
 * guard and its decisions, errors, and the adapter kit framework adapters are
 * built on. Stores and servers implement `@writ/core/backend`; tests use
 * `@writ/core/testing`.
 */

// Writs and sessions
export { Writ } from "./writ/writ.js";
export type { Hop, HopClaims, HopHeader } from "./writ/hop.js";
export {
  DEFAULT_MAX_DEPTH,
  DEFAULT_ROOT_TTL,
  type IssueWritOptions,
  issueWrit,
} from "./writ/issue-writ.js";
export { Session, type SessionOptions } from "./session.js";
export { type DelegateOptions, delegateWrit } from "./writ/delegate-writ.js";
export {
  formatWritTree,
  type InspectedHop,
  type InspectedWrit,
  inspectWrit,
} from "./writ/inspect-writ.js";
export { WRIT_LIMITS } from "./writ/limits.js";

// Keys and identities
export { KeyPair } from "./keys/key-pair.js";
export { importPublicKey, PublicKey } from "./keys/public-key.js";
export { jwkThumbprint } from "./keys/jwk-thumbprint.js";
export type { Ed25519PrivateJwk, Ed25519PublicJwk, JsonWebKeySet } from "./keys/jwk.js";
export {
  type AgentIdentity,
  type AgentReference,
  createAgentIdentity,
} from "./keys/agent-identity.js";
export {
  IssuerKeySet,
  type IssuerKeySetJson,
  type IssuerKeyStatus,
  type IssuerKeys,
  issuerKeysFromJwks,
} from "./keys/issuer-keys.js";

// Grants: the language, narrowing and intersection
export {
  type Budget,
  type BudgetMeasure,
  type Condition,
  type Constraint,
  GRANT_LIMITS,
  type Grant,
  OPERATORS,
  type Operator,
  type Scalar,
} from "./grants/grant.js";
export { formatGrant, formatGrants, parseGrant, parseGrantText } from "./grants/grant-text.js";
export { formatBudget } from "./grants/budget-text.js";
export type { BudgetScope } from "./backend/budget-reservation.js";
export { checkGrants, parseGrants } from "./grants/validate-grants.js";
export { describeGrantIssue, type GrantIssue } from "./grants/grant-issue.js";
export {
  actionContains,
  actionMatches,
  isAction,
  isActionPattern,
} from "./grants/action-pattern.js";
export { assertNarrower, type NarrowingFailure, whyNotNarrower } from "./grants/narrowing.js";
export { intersectGrants } from "./grants/intersect-grants.js";

// The guard and its decisions
export { createGuard, Guard, type GuardedRun, type WritCheck } from "./guard/guard.js";
export type { GuardOptions } from "./guard/guard-options.js";
export type { Call, CallInput } from "./guard/call.js";
export type {
  AllowDecision,
  ApprovalRequiredDecision,
  BudgetRefusal,
  Decision,
  DecisionCode,
  DenyDecision,
} from "./guard/decision.js";
export { describeDecision } from "./guard/describe-decision.js";
export type { ToolOutcome } from "./guard/guard-ledger.js";
export type { CallCheck } from "./guard/open-calls.js";
export type { PayloadPolicy } from "./guard/payload-policy.js";
export { type RunAllowedOptions, runAllowed } from "./guard/run-allowed.js";
export type { SetContext, SetResolver } from "./guard/set-resolver.js";

// What the guard's backend hands applications: approvals, revocations, ledger rows
export type { Backend } from "./backend/backend.js";
export type { Approval, ApprovalStatus } from "./approval.js";
export type { Revocation, RevocationKind } from "./live/live-state.js";
export type {
  DecisionEffect,
  LedgerDetail,
  LedgerEventKind,
  LedgerRecord,
} from "./ledger/ledger-record.js";

// A provider's access token, as the credential broker (or the server's, remotely) hands it to a tool
export { ProviderAccessToken } from "./credentials/provider-access-token.js";

// The adapter kit: what every framework adapter builds on (README: "For adapter authors")
export {
  mappedAction,
  type ToolActionResolver,
  type ToolActions,
  toolActionResolver,
} from "./adapter-kit/tool-action-resolver.js";
export { type RunningCall, RunningCalls } from "./adapter-kit/running-calls.js";
export { streamAllowed } from "./adapter-kit/stream-allowed.js";
export { type ApprovalAnswer, resumeApproval } from "./adapter-kit/resume-approval.js";
export { usableActions } from "./adapter-kit/usable-actions.js";

// Telemetry: the caller's trace continued and passed on (OpenTelemetry, when installed)
export {
  continueTrace,
  propagateTrace,
  type TraceCarrier,
} from "./telemetry/trace-context.js";

// Errors: one registry every surface reads
export { isWritError, WritError, type WritErrorDetails } from "./errors.js";
export {
  type AuthChallenge,
  type ErrorSpec,
  type ExitClass,
  errorSpec,
  type HttpStatus,
  isWritErrorCode,
  WRIT_ERROR_CODES,
  type WritErrorCode,
} from "./error-registry.js";

// Time and randomness, injectable everywhere
export { type Clock, type RandomSource, systemClock, systemRandom } from "./clock.js";
