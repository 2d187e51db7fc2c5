/**
 * @writ/core/backend: the contract between guards and what stands behind
 * them, for the people who implement stores, servers and clients of servers:
 * the Backend a guard needs (live feed, ledger, approvals, delegations), the
 * administration API every store offers, the ledger's row model and hashing,
 * the live-state model, the credential store, and the verifiers and encodings
 * a server shares with the guard. Applications use `@writ/core`.
 */

// The Backend contract
export type {
  Backend,
  DelegationRecord,
  LedgerAppendOptions,
  ReservedAppend,
} from "./backend.js";
export { delegationRecords } from "../writ/delegation-records.js";
export { delegationConflict } from "../writ/delegation-conflict.js";
export {
  type BudgetCharge,
  type BudgetReservationRequest,
  type BudgetReservationResult,
  type BudgetScope,
  type BudgetUsage,
  budgetWindowStart,
} from "./budget-reservation.js";

// The administration API every store offers (and the remote client speaks)
export type {
  AgentKeyRecord,
  AgentRecord,
  ApprovalQuery,
  ApprovalVerdict,
  BudgetUsageQuery,
  DelegationNode,
  DirectoryQuery,
  GrantsInput,
  IdentityInput,
  IssueInput,
  LinkedIdentity,
  PublicKeyInput,
  PutAgentInput,
  PutRoleInput,
  PutUserInput,
  RevocationQuery,
  RevokeInput,
  RoleRecord,
  StoreAdmin,
  StoredPayload,
  TenantRecord,
  UserRecord,
} from "./store-admin.js";
export { MAX_PAGE_SIZE, type Page, type PageQuery } from "./page.js";
export type {
  OAuthClientRecord,
  OAuthCodeRecord,
  OAuthFamilyRecord,
  OAuthRequestRecord,
  OAuthStateStore,
} from "./oauth-state.js";
export {
  API_KEY_SCOPES,
  type ApiKeyInfo,
  type ApiKeyQuery,
  type ApiKeyRecord,
  type ApiKeyScope,
  type CreateApiKeyInput,
  type IssuedApiKey,
  type StoredApiKey,
} from "./api-key-records.js";
export type { LedgerPage, LedgerQuery } from "./ledger-query.js";
export type {
  LedgerProblem,
  LedgerVerification,
  VerificationProgress,
  VerifiedTreeHead,
  VerifyLedgerOptions,
} from "./ledger-verification.js";
export type { ReplayedCall, WhatIfInput, WhatIfReport } from "./what-if.js";
export {
  type AuthorityInput,
  type ReplayedDecision,
  replayAuthority,
} from "../guard/replay-authority.js";
export { EXPORT_FORMATS, type ExportFormat, type ExportOptions } from "./export-format.js";
export { toGrants } from "../grants/to-grants.js";
export { isPrincipalId } from "../keys/agent-identity.js";

// The ledger: rows, their hashes and chains
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
  type StoredLedgerRow,
  sealLedgerEntry,
  storedChainJson,
  storedLedgerRowHash,
} from "../ledger/ledger-record.js";
export { type LedgerBreak, LedgerChainVerifier } from "../ledger/verify-ledger-chain.js";
export { approvalEntry } from "../ledger/approval-entry.js";
export { delegationEntry } from "../ledger/delegation-entry.js";
export { revocationEntry } from "../ledger/revocation-entry.js";

// The ledger's Merkle tree (RFC 9162): hashes, proofs, signed tree heads, evidence of one row
export {
  EMPTY_TREE_HASH,
  isMerkleHash,
  ledgerLeafHash,
  merkleLeafHash,
  merkleNodeHash,
} from "../ledger/tree/merkle-hash.js";
export {
  type LeafRange,
  type PerfectSubtree,
  perfectSubtrees,
  rangeHash,
} from "../ledger/tree/merkle-range.js";
export {
  type CompletedSubtree,
  foldPeaks,
  MerkleTreeBuilder,
  type MerkleTreeBuilderOptions,
} from "../ledger/tree/merkle-tree-builder.js";
export {
  type InclusionClaim,
  inclusionProofRanges,
  verifyInclusion,
} from "../ledger/tree/inclusion-proof.js";
export {
  type ConsistencyClaim,
  type ConsistencyProof,
  consistencyProofRanges,
  verifyConsistency,
} from "../ledger/tree/consistency-proof.js";
export {
  parseSignedTreeHead,
  type SignedTreeHead,
  signTreeHead,
  TREE_HEAD_TYPE,
  type TreeHead,
  treeHeadSigningInput,
  verifyTreeHeadSignature,
} from "../ledger/tree/signed-tree-head.js";
export {
  type LedgerEvidence,
  type LedgerEvidenceCheck,
  type LedgerEvidenceProblem,
  verifyLedgerEvidence,
} from "../ledger/tree/ledger-evidence.js";

// Live state: snapshots and changes in sequence, and the one mirror of them
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
} from "../live/live-state.js";
export { type LiveChangeResult, LiveStateMirror } from "../live/live-state-mirror.js";
export { assertSharedHasNoTenant, servesTenant } from "../live/serves-tenant.js";

// Approvals: requests, decisions and spending them exactly once
export {
  type Approval,
  type ApprovalBinding,
  type ApprovalConsumption,
  type ApprovalDecisionInput,
  type ApprovalRequest,
  type ApprovalStatus,
  applyApprovalDecision,
  spendApproval,
} from "../approval.js";

// Provider credentials: what the credential broker's store holds
export type {
  CredentialStore,
  PendingConnection,
  RefreshRecord,
  SealedField,
  SealedValue,
  StoredAccessToken,
  StoredConnection,
} from "../credentials/credential-store.js";

// Verifying writs and proofs outside a guard (servers, token endpoints), and signing
export { type VerifiedWrit, WritVerifier, type WritVerifierOptions } from "../writ/verify-writ.js";
export {
  type ProofExpectation,
  ProofVerifier,
  type ProofVerifierOptions,
} from "../proof/verify-proof.js";
export { ReplayCache, replayCacheCapacity } from "../proof/replay-cache.js";
export {
  DPOP_ALGORITHMS,
  DPOP_PROOF_TYPE,
  type DpopAlgorithm,
  type DpopExpectation,
  DpopProofVerifier,
  type DpopProofVerifierOptions,
  dpopKeyThumbprint,
  type VerifiedDpopProof,
} from "../dpop/dpop-proof-verifier.js";
export { argumentsHash } from "../proof/arguments-hash.js";
export { signCompactJws } from "../writ/jws.js";
export { importHeaderKey } from "../keys/public-key.js";
export { PROOF_TYPE, WRIT_TYPE } from "../writ/limits.js";

// Telemetry a server or gateway reports (OpenTelemetry, when installed)
export {
  type TracedAnswer,
  type TracedRequest,
  traceServerRequest,
} from "../telemetry/trace-server-request.js";
export { recordGatewayLatency } from "../telemetry/record-gateway-latency.js";

// Encodings a store or server must compute exactly as the guard does
export { canonicalJson } from "../encoding/canonical-json.js";
export { hasControlCharacter } from "../encoding/control-characters.js";
export { sha256Base64Url, sha256Hex } from "../encoding/sha256.js";
export { uuidV7 } from "../encoding/uuid-v7.js";
