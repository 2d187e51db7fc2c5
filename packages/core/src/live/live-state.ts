import type { Grant } from "../grants/grant.js";

/**
 * What can be revoked (DESIGN §5), and the server's API keys, whose
 * revocation every server instance enforces from the same live feed.
 * Revocations are permanent.
 */
export type RevocationKind = "hop" | "agent" | "user" | "key" | "issuer_key" | "api_key";

export const REVOCATION_KINDS: readonly RevocationKind[] = [
  "hop",
  "agent",
  "user",
  "key",
  "issuer_key",
  "api_key",
];

export interface Revocation {
  readonly kind: RevocationKind;
  /** Hop jti, agent id, user id, key thumbprint, issuer key id or API key id. */
  readonly id: string;
  /** Sequence number of the change that revoked it. */
  readonly seq: number;
  /** Epoch ms. */
  readonly at: number;
  readonly reason?: string;
}

/** A user's current permissions: grants given directly or through roles, already resolved. */
export interface UserState {
  readonly id: string;
  readonly tenant?: string;
  readonly permissions: readonly Grant[];
}

/** An agent's current policy and the thumbprints of its registered keys. */
export interface AgentState {
  readonly id: string;
  readonly tenant?: string;
  /** The agent serves the users of every tenant (it has no tenant of its own); see `servesTenant`. */
  readonly shared?: boolean;
  readonly policy: readonly Grant[];
  readonly keys: readonly string[];
}

/** Everything a guard needs to know live, as of sequence number `seq`. */
export interface LiveSnapshot {
  readonly seq: number;
  readonly revocations: readonly Revocation[];
  readonly users: readonly UserState[];
  readonly agents: readonly AgentState[];
}

/** One change to the live state; every change has the next sequence number. */
export type LiveChange =
  | { readonly seq: number; readonly type: "revocation"; readonly revocation: Revocation }
  | { readonly seq: number; readonly type: "user"; readonly user: UserState }
  | { readonly seq: number; readonly type: "user_removed"; readonly id: string }
  | { readonly seq: number; readonly type: "agent"; readonly agent: AgentState }
  | { readonly seq: number; readonly type: "agent_removed"; readonly id: string };

/** Where a backend pushes its live feed. */
export interface LiveSink {
  /** The whole state; replaces what the sink held. */
  snapshot(snapshot: LiveSnapshot): void;
  /** The next change, in sequence order. */
  change(change: LiveChange): void;
  /** Proof of life from an asynchronous feed: nothing changed up to `at` (epoch ms). */
  heartbeat(at: number): void;
  /** The feed is broken; the sink fails closed until a snapshot arrives. */
  fault(error: Error): void;
  /**
   * A revocation this process's store has begun and not yet committed: from
   * now on the sink enforces it, until it arrives as a change or in a
   * snapshot, or revocationWithdrawn() says it did not commit. An in-process
   * store calls it as revoke() is called, so no call decided after that is
   * allowed while the commit waits for the disk (DESIGN §5).
   */
  revocationPending?(kind: RevocationKind, id: string): void;
  /** A pending revocation definitely did not commit (its transaction rolled back): lift it. */
  revocationWithdrawn?(kind: RevocationKind, id: string): void;
}

/** A running live feed. */
export interface LiveWatch {
  /**
   * True when changes reach the sink synchronously inside the write that made
   * them (an in-process store): the view can never be stale while open.
   */
  readonly synchronous: boolean;
  /**
   * A synchronous feed that other processes write to as well (SQLite's commit
   * watcher): delivers, synchronously, every change committed elsewhere since
   * it last looked. Guards call it before each decision; false means it could
   * not look (its watcher failed), and the view fails closed.
   */
  catchUp?(): boolean;
  /** Asks the backend to send a fresh snapshot (after a sequence gap). */
  resync(): void;
  close(): Promise<void>;
}
