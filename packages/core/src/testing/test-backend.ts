import type { Backend } from "../backend/backend.js";
import type { AgentIdentity } from "../keys/agent-identity.js";
import type { LedgerRecord } from "../ledger/ledger-record.js";
import type { Revocation, RevocationKind } from "../live/live-state.js";

/**
 * A Backend with the few administrative calls tests need, so one test runs
 * on any store: `MemoryBackend` is one, and a real store (SQLite, Postgres, a
 * Writ server) is one through a thin wrapper over its admin API.
 */
export interface TestBackend extends Backend {
  /** Creates or replaces a user with their current permissions (grants in text form). */
  putUser(user: {
    readonly id: string;
    readonly tenant?: string;
    readonly permissions: string;
  }): void | Promise<void>;
  /** Creates or replaces an agent with its policy and the keys of these identities. */
  putAgent(agent: {
    readonly id: string;
    readonly tenant?: string;
    readonly shared?: boolean;
    readonly policy: string;
    readonly keys: readonly AgentIdentity[];
  }): void | Promise<void>;
  removeAgent(id: string): void | Promise<void>;
  /** Revokes a target; revoking it again returns the first revocation. */
  revoke(kind: RevocationKind, id: string, reason?: string): Promise<Revocation>;
  /** Every ledger row so far, oldest first. */
  ledger(): Promise<readonly LedgerRecord[]>;
}
