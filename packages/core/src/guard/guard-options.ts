import type { Backend } from "../backend/backend.js";
import type { Clock, RandomSource } from "../clock.js";
import type { IssuerKeys } from "../keys/issuer-keys.js";
import type { PayloadPolicy } from "./payload-policy.js";
import type { SetResolver } from "./set-resolver.js";

export interface GuardOptions {
  /** The store and live state behind the guard. */
  readonly backend: Backend;
  /** The pinned issuer whose keys may sign root hops. */
  readonly issuer: IssuerKeys;
  /** This guard's audience: proofs must name it (e.g. `urn:writ:guard:support`, or a server URL). */
  readonly audience: string;
  /**
   * Resolvers for named sets (`inSet`). A set without a resolver never matches;
   * one that throws or does not answer within `backendDeadlineMs` refuses the
   * call as `grant.set_unavailable`.
   */
  readonly sets?: Readonly<Record<string, SetResolver>>;
  readonly clock?: Clock;
  readonly random?: RandomSource;
  /** How old the live view may be before every call is refused, in ms. Default 2000. */
  readonly maxStalenessMs?: number;
  /**
   * How long a decision waits on the backend (ledger, approvals) and on each
   * set resolver before refusing, in ms. Default 5000.
   */
  readonly backendDeadlineMs?: number;
  /** Clock skew tolerated on writ and proof times, in seconds. Default 60. */
  readonly clockSkew?: number;
  /** How long a proof is accepted after it is signed, in seconds. Default 60. */
  readonly proofLifetime?: number;
  /**
   * Proof ids remembered against replay. Default: sized for 5,000 calls a second
   * with 2× headroom over the proof window (proofLifetime + clockSkew), 1,200,000
   * ids (≈126 MB when full) with the defaults.
   */
  readonly replayCacheSize?: number;
  /** Verified hops remembered, and as many verified writs (a writ sent again is not decoded again). Default 10,000. */
  readonly hopCacheSize?: number;
  /** How long an approval request stays open, in seconds. Default 3600. */
  readonly approvalTtl?: number;
  /**
   * Allowed calls remembered until their outcome is recorded, for checkCall()
   * (the credential broker hands provider tokens only to such calls). Beyond
   * this many the oldest are forgotten, and then count as finished. Default 10,000.
   */
  readonly maxOpenCalls?: number;
  /**
   * What the ledger keeps of arguments and results. Default: hashes and sizes
   * only; full bodies are opted into per action or tool (`{ full: { actions:
   * ["crm.*"] }, redact }`).
   */
  readonly payloads?: PayloadPolicy;
  /**
   * Whether a call whose tool ran and failed still counts against its
   * budgets (teams that count attempts). Default false: it gives its
   * reservation back. A call that never ran always gives it back.
   */
  readonly countFailedCalls?: boolean;
  /** Told when an outcome could not be recorded, or a budget reservation released, after a call. Default: a process warning. */
  readonly onLedgerError?: (error: unknown) => void;
}
