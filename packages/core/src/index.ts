// Errors
export { WritError, isWritError, type WritErrorCode, type WritErrorDetails } from "./errors.js";

// Time and randomness
export { type Clock, type RandomSource, systemClock, systemRandom } from "./clock.js";

// Keys
export { KeyPair } from "./keys/key-pair.js";
export { PublicKey, importPublicKey } from "./keys/public-key.js";
export { jwkThumbprint } from "./keys/jwk-thumbprint.js";
export type { Ed25519PrivateJwk, Ed25519PublicJwk, JsonWebKeySet } from "./keys/jwk.js";
export { type AgentIdentity, type AgentReference, createAgentIdentity, isPrincipalId } from "./keys/agent-identity.js";
export {
  type IssuerKeyStatus,
  type IssuerKeySetJson,
  type IssuerKeys,
  IssuerKeySet,
  issuerKeysFromJwks,
} from "./keys/issuer-keys.js";

// Grants
export { type Condition, type Constraint, GRANT_LIMITS, type Grant, OPERATORS, type Operator, type Scalar } from "./grants/grant.js";
export { type GrantIssue, describeGrantIssue } from "./grants/grant-issue.js";
export { checkGrants, parseGrants } from "./grants/validate-grants.js";
export { toGrants } from "./grants/to-grants.js";
export { formatGrant, formatGrants, parseGrant, parseGrantText } from "./grants/grant-text.js";
export { actionContains, actionMatches, isAction, isActionPattern } from "./grants/action-pattern.js";
export { CompiledGrants, type GrantVerdict, type SetMembership, type SetQuery } from "./grants/compiled-grants.js";
export { type NarrowingFailure, assertNarrower, whyNotNarrower } from "./grants/narrowing.js";
export { intersectGrants } from "./grants/intersect-grants.js";

// Writs
export { Writ } from "./writ/writ.js";
export type { Hop, HopClaims, HopHeader } from "./writ/hop.js";
export { WRIT_LIMITS, WRIT_TYPE, PROOF_TYPE } from "./writ/limits.js";
export { DEFAULT_MAX_DEPTH, DEFAULT_ROOT_TTL, type IssueWritOptions, issueWrit } from "./writ/issue-writ.js";
export { type DelegateOptions, delegateWrit } from "./writ/delegate-writ.js";
export { type VerifiedWrit, WritVerifier, type WritVerifierOptions } from "./writ/verify-writ.js";
export { type InspectedHop, type InspectedWrit, formatWritTree, inspectWrit } from "./writ/inspect-writ.js";

// Invocation proofs
export type { ProofClaims, ProofSubject } from "./proof/proof-claims.js";
export { createProof } from "./proof/create-proof.js";
export { type ProofExpectation, ProofVerifier, type ProofVerifierOptions } from "./proof/verify-proof.js";
export { argumentsHash } from "./proof/arguments-hash.js";
export { ReplayCache } from "./proof/replay-cache.js";

// Sessions
export { Session, type SessionOptions } from "./session.js";

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
export { type SetContext, type SetResolver } from "./guard/set-resolver.js";
export { Guard, type GuardOptions, type GuardedRun, type ToolOutcome, createGuard } from "./guard/guard.js";

// Backend contract: live state, ledger, approvals
export type { Backend, DelegationRecord } from "./backend.js";
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
export { type LiveFreshness, LiveView } from "./live/live-view.js";
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
export { type LedgerBreak, LedgerChainVerifier } from "./ledger/verify-ledger-chain.js";

// Encoding helpers shared with stores and adapters
export { canonicalJson } from "./encoding/canonical-json.js";
export { sha256Base64Url, sha256Hex } from "./encoding/sha256.js";
export { uuidV7 } from "./encoding/uuid-v7.js";
