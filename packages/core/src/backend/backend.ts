import type {
  Approval,
  ApprovalBinding,
  ApprovalConsumption,
  ApprovalDecisionInput,
  ApprovalRequest,
} from "../approval.js";
import type { Grant } from "../grants/grant.js";
import type { LedgerAppend, LedgerRecord } from "../ledger/ledger-record.js";
import type { LiveSink, LiveWatch } from "../live/live-state.js";
import type { BudgetReservationRequest, BudgetReservationResult } from "./budget-reservation.js";

/** A hop the guard saw, for the delegation graph (who delegated what to whom). */
export interface DelegationRecord {
  readonly jti: string;
  readonly parentJti: string | null;
  readonly user: string;
  readonly tenant: string | null;
  readonly fromAgent: string | null;
  readonly toAgent: string;
  readonly issuer: string;
  readonly grants: readonly Grant[];
  /** Epoch seconds. */
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/** What reserveAndAppend() did: the reservation's answer and the decision row it led to. */
export interface ReservedAppend {
  readonly reservation: BudgetReservationResult;
  readonly record: LedgerRecord;
}

/** How a ledger append is committed. */
export interface LedgerAppendOptions {
  /**
   * false: a store may group-commit the rows with a later durable commit, so
   * a crash can lose them; they are still written, in order, before the store
   * closes and before its own ledger queries read. Default true.
   */
  readonly durable?: boolean;
}

/**
 * What a guard needs from the store and live state behind it. SQLite,
 * Postgres and the remote client implement it; `@writ/core/testing` has an
 * in-memory implementation for unit tests.
 */
export interface Backend {
  /** Starts the live feed: a snapshot first, then every change in sequence order. */
  watch(sink: LiveSink): Promise<LiveWatch>;
  /**
   * Appends events, in order, to this writer's hash chain. Resolves only when
   * they are durable: the guard runs no tool before its decision row is.
   * With `{ durable: false }` the rows may wait for the next durable commit
   * (or a few milliseconds) and resolve once committed, not necessarily on
   * disk: for rows nothing waits on, such as a call's outcome.
   */
  append(
    appends: readonly LedgerAppend[],
    options?: LedgerAppendOptions,
  ): Promise<readonly LedgerRecord[]>;
  /**
   * true: append() takes its rows in order as it is called and delivers the
   * rows that need not be durable (outcomes) on its own: an in-process store
   * (every read it serves afterwards includes them), or a client that batches
   * them to its server (within milliseconds, or with the next durable append).
   * The guard then does not wait for those rows; its close() does. Unset: the
   * guard waits for each outcome row, so that whoever reads the ledger next
   * sees it.
   */
  readonly queuesAppends?: boolean;
  /**
   * Records hops seen for the first time (idempotent by jti). Refuses, with
   * the error delegationConflict() gives, a hop whose id is recorded for
   * another hop (writ.jti_reused, `details.name` = the jti) or whose parent is
   * recorded for another user or tenant (writ.broken_chain), and then records
   * nothing of `records`.
   */
  recordDelegations(records: readonly DelegationRecord[]): Promise<void>;
  /**
   * Creates an approval request, or returns the one already opened for the
   * same call id and binding, whatever its state: a resumed run must neither
   * ask twice nor get a fresh request for a call whose approval was spent,
   * rejected or has expired.
   */
  requestApproval(
    request: ApprovalRequest,
  ): Promise<{ readonly approval: Approval; readonly created: boolean }>;
  /**
   * Decides a pending approval request and appends the row that records it
   * (`approvalEntry`) to this writer's chain, atomically: the decision takes
   * effect only with its row, and no row records a decision not taken.
   */
  decideApproval(id: string, decision: ApprovalDecisionInput): Promise<Approval>;
  /** Spends an approved approval exactly once, if its binding matches. Atomic. */
  consumeApproval(id: string, binding: ApprovalBinding, at: number): Promise<ApprovalConsumption>;
  getApproval(id: string): Promise<Approval | undefined>;
  /**
   * Reserves every charge of a call at once, each in its window on the
   * store's clock: all fit and are held, or none is held and the answer names
   * the first that did not fit. Atomic against every other reservation on the
   * store, from any process or server instance. Records what the reservation
   * took, for its release.
   */
  reserveBudgets(request: BudgetReservationRequest): Promise<BudgetReservationResult>;
  /**
   * Gives reservation `id`, taken for call `callId`, back: a call that failed
   * or never ran. Gives back what the store recorded the reservation took,
   * once: a second release and an unknown reservation give nothing back.
   */
  releaseBudgets(id: string, callId: string): Promise<void>;
  /**
   * Optional: reserves a call's budgets as reserveBudgets() does and appends
   * the decision row `decide` returns for the answer, in one durable commit:
   * the reservation takes effect only with its decision row and costs no
   * commit of its own. The decision row may record what the reservation
   * took (a store's own ledger, which releaseBudgets() reads). Without it the
   * guard calls reserveBudgets(), then append().
   */
  reserveAndAppend?(
    request: BudgetReservationRequest,
    decide: (reservation: BudgetReservationResult) => LedgerAppend,
  ): Promise<ReservedAppend>;
  close(): Promise<void>;
}
