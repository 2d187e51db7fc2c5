// Opening a store

export { ECS_VERSION, toEcsEvent } from "./exports/ecs-event.js";
// Exports
export { EXPORT_FORMATS, type ExportFormat } from "./exports/export-ledger.js";
export { OCSF_VERSION, toOcsfApiActivity } from "./exports/ocsf-api-activity.js";
export { type CheckpointClaim, checkpointSigningInput } from "./ledger/checkpoint-signature.js";
// The ledger
export type { LedgerPage, LedgerQuery } from "./ledger/ledger-query.js";
export type { PayloadRedactor } from "./ledger/ledger-writer.js";
export type { LedgerProblem, LedgerVerification } from "./ledger/verify-ledger.js";
export {
  type GrantPostgresWriterOptions,
  grantPostgresWriter,
} from "./postgres/grant-postgres-writer.js";
export type { PostgresStoreOptions } from "./postgres/open-postgres-store.js";
export { type PostgresBackendOptions, postgresBackend } from "./postgres-backend.js";
export { DEFAULT_SQLITE_PATH, type SqliteBackendOptions, sqliteBackend } from "./sqlite-backend.js";
// Administration
export type {
  AgentKeyRecord,
  AgentRecord,
  ApprovalQuery,
  ApprovalVerdict,
  DelegationNode,
  GrantsInput,
  IssueInput,
  PublicKeyInput,
  PutAgentInput,
  PutRoleInput,
  PutUserInput,
  RevokeInput,
  RoleRecord,
  StoreAdmin,
  StoredPayload,
  TenantRecord,
  UserRecord,
} from "./store-admin.js";
export { StoreBackend } from "./store-backend.js";
export type { StoreOptions } from "./store-options.js";
