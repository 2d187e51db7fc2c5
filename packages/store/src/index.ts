/**
 * @writ/store: the SQLite (embedded default) and Postgres backends, their
 * schemas and migrations, and the ledger's exports.
 */

// Opening a store
export { type PostgresBackendOptions, postgresBackend } from "./postgres-backend.js";
export type { PostgresStoreOptions } from "./postgres/open-postgres-store.js";
export { DEFAULT_SQLITE_PATH, type SqliteBackendOptions, sqliteBackend } from "./sqlite-backend.js";
export { StoreBackend } from "./store-backend.js";
export type { StoreOptions } from "./store-options.js";

// Postgres privileges for a guard's writer role
export {
  type GrantPostgresWriterOptions,
  grantPostgresWriter,
} from "./postgres/grant-postgres-writer.js";

// API keys of the Writ server: made and checked here, kept by any store
export {
  type ApiKeyOptions,
  apiKeyHash,
  type CreatedApiKey,
  createApiKey,
  parseApiKey,
} from "./api-keys/api-key.js";

// The ledger and its exports
export { ECS_VERSION, toEcsEvent } from "./exports/ecs-event.js";
export { OCSF_VERSION, toOcsfApiActivity } from "./exports/ocsf-api-activity.js";
export { type CheckpointClaim, checkpointSigningInput } from "./ledger/checkpoint-signature.js";
export type { LedgerChainInfo } from "./ledger/ledger-chains.js";
export type { PayloadRedactor } from "./ledger/ledger-writer.js";

// What the Writ server's console reads and keeps
export type { RootHopQuery } from "./delegations/root-hops.js";
export {
  CONSOLE_ROLES,
  type ConsoleRole,
  type ConsoleSession,
} from "./sessions/console-session-store.js";
// Witnesses: where signed tree heads go, outside the store
export { fileWitness } from "./ledger/tree/file-witness.js";
export type { TreeHeadWitness } from "./ledger/tree/tree-head-witness.js";
export { type WebhookWitnessOptions, webhookWitness } from "./ledger/tree/webhook-witness.js";

// Administration: the contract lives in @writ/core/backend, re-exported for users of the store
export {
  type AgentKeyRecord,
  type AgentRecord,
  API_KEY_SCOPES,
  type ApiKeyInfo,
  type ApiKeyQuery,
  type ApiKeyRecord,
  type ApiKeyScope,
  type ApprovalQuery,
  type ApprovalVerdict,
  type ConsistencyProof,
  type CreateApiKeyInput,
  type DelegationNode,
  type DirectoryQuery,
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportOptions,
  type GrantsInput,
  type IdentityInput,
  type IssuedApiKey,
  type IssueInput,
  type LedgerPage,
  type LedgerProblem,
  type LedgerQuery,
  type LedgerVerification,
  type LinkedIdentity,
  MAX_PAGE_SIZE,
  type Page,
  type PageQuery,
  type PublicKeyInput,
  type PutAgentInput,
  type PutRoleInput,
  type PutUserInput,
  type ReplayedCall,
  type RevocationQuery,
  type RevokeInput,
  type RoleRecord,
  type StoreAdmin,
  type StoredApiKey,
  type StoredPayload,
  type TenantRecord,
  type UserRecord,
  type VerificationProgress,
  type VerifiedTreeHead,
  type VerifyLedgerOptions,
  type WhatIfInput,
  type WhatIfReport,
} from "@writ/core/backend";
