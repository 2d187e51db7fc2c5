// The adapter kit: what every framework adapter builds on (README: "For adapter authors")
export { type ApprovalAnswer, resumeApproval } from "./adapter-kit/resume-approval.js";
export { type RunningCall, RunningCalls } from "./adapter-kit/running-calls.js";
export { streamAllowed } from "./adapter-kit/stream-allowed.js";
export {
  mappedAction,
  type ToolActionResolver,
  type ToolActions,
  toolActionResolver,
} from "./adapter-kit/tool-action-resolver.js";
export { usableActions } from "./adapter-kit/usable-actions.js";
// Errors

export {
  type Approval,
  type ApprovalBinding,
  type ApprovalConsumption,
  type ApprovalDecisionInput,
  type ApprovalRequest,
  type ApprovalStatus,
  applyApprovalDecision,
  spendApproval,
} from "./approval.js";
// Backend contract: live state, ledger, approvals
export type { Backend, DelegationRecord } from "./backend.js";
// Time and randomness
export { type Clock, type RandomSource, systemClock, systemRandom } from "./clock.js";
// Provider credentials: what the credential broker's store holds
export type {
  CredentialStore,
  PendingConnection,
  RefreshRecord,
  SealedField,
  SealedValue,
  StoredAccessToken,
  StoredConnection,
} from "./credentials/credential-store.js";
// Encoding helpers shared with stores and adapters
export { canonicalJson } from "./encoding/canonical-json.js";
export { sha256Base64Url, sha256Hex } from "./encoding/sha256.js";
export { uuidV7 } from "./encoding/uuid-v7.js";
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
export { isWritError, WritError, type WritErrorDetails } from "./errors.js";
export {
  actionContains,
  actionMatches,
  isAction,
  isActionPattern,
} from "./grants/action-pattern.js";
export {
  CompiledGrants,
  type GrantVerdict,
  type SetMembership,
  type SetQuery,
} from "./grants/compiled-grants.js";
// Grants
export {
  type Condition,
  type Constraint,
  GRANT_LIMITS,
  type Grant,
  OPERATORS,
  type Operator,
  type Scalar,
} from "./grants/grant.js";
export { describeGrantIssue, type GrantIssue } from "./grants/grant-issue.js";
export { formatGrant, formatGrants, parseGrant, parseGrantText } from "./grants/grant-text.js";
export { intersectGrants } from "./grants/intersect-grants.js";
export { assertNarrower, type NarrowingFailure, whyNotNarrower } from "./grants/narrowing.js";
export { toGrants } from "./grants/to-grants.js";
export { checkGrants, parseGrants } from "./grants/validate-grants.js";
// The guard
export type { Call, CallInput } from "./guard/call.js";
export type {
  AllowDecision,
  ApprovalRequiredDecision,
  Decision,
  DecisionCode,
  DenyDecision,
} from "./guard/decision.js";
export { describeDecision } from "./guard/describe-decision.js";
export { createGuard, Guard, type GuardedRun, type WritCheck } from "./guard/guard.js";
export type { ToolOutcome } from "./guard/guard-ledger.js";
export type { GuardOptions } from "./guard/guard-options.js";
export type { CallCheck } from "./guard/open-calls.js";
export { type RunAllowedOptions, runAllowed } from "./guard/run-allowed.js";
export type { SetContext, SetResolver } from "./guard/set-resolver.js";
export {
  type AgentIdentity,
  type AgentReference,
  createAgentIdentity,
  isPrincipalId,
} from "./keys/agent-identity.js";
export {
  IssuerKeySet,
  type IssuerKeySetJson,
  type IssuerKeyStatus,
  type IssuerKeys,
  issuerKeysFromJwks,
} from "./keys/issuer-keys.js";
export type { Ed25519PrivateJwk, Ed25519PublicJwk, JsonWebKeySet } from "./keys/jwk.js";
export { jwkThumbprint } from "./keys/jwk-thumbprint.js";
// Keys
export { KeyPair } from "./keys/key-pair.js";
export { importPublicKey, PublicKey } from "./keys/public-key.js";
export { approvalEntry } from "./ledger/approval-entry.js";
export { delegationEntry } from "./ledger/delegation-entry.js";
export {
  type DecisionEffect,
  GENESIS_HASH,
  type LedgerAppend,
  type LedgerDetail,
  type LedgerEntry,
  type LedgerEventKind,
  type LedgerPayload,
  type LedgerRecord,
  ledgerRecordHash,
  sealLedgerEntry,
} from "./ledger/ledger-record.js";
export { revocationEntry } from "./ledger/revocation-entry.js";
export { type LedgerBreak, LedgerChainVerifier } from "./ledger/verify-ledger-chain.js";
export {
  type AgentState,
  type LiveChange,
  type LiveSink,
  type LiveSnapshot,
  type LiveWatch,
  REVOCATION_KINDS,
  type Revocation,
  type RevocationKind,
  type UserState,
} from "./live/live-state.js";
export { type LiveChangeResult, LiveStateMirror } from "./live/live-state-mirror.js";
export { type LiveFreshness, LiveView } from "./live/live-view.js";
export { argumentsHash } from "./proof/arguments-hash.js";
export { createProof } from "./proof/create-proof.js";
// Invocation proofs
export type { ProofClaims, ProofSubject } from "./proof/proof-claims.js";
export { ReplayCache } from "./proof/replay-cache.js";
export {
  type ProofExpectation,
  ProofVerifier,
  type ProofVerifierOptions,
} from "./proof/verify-proof.js";
// Sessions
export { Session, type SessionOptions } from "./session.js";
export { type DelegateOptions, delegateWrit } from "./writ/delegate-writ.js";
export { delegationRecords } from "./writ/delegation-records.js";
export type { Hop, HopClaims, HopHeader } from "./writ/hop.js";
export {
  formatWritTree,
  type InspectedHop,
  type InspectedWrit,
  inspectWrit,
} from "./writ/inspect-writ.js";
export {
  DEFAULT_MAX_DEPTH,
  DEFAULT_ROOT_TTL,
  type IssueWritOptions,
  issueWrit,
} from "./writ/issue-writ.js";
export { signCompactJws } from "./writ/jws.js";
export { PROOF_TYPE, WRIT_LIMITS, WRIT_TYPE } from "./writ/limits.js";
export { type VerifiedWrit, WritVerifier, type WritVerifierOptions } from "./writ/verify-writ.js";
// Writs
export { Writ } from "./writ/writ.js";
