import type { DecisionEffect, LedgerEventKind, LedgerRecord } from "../ledger/ledger-record.js";

/** Filters for reading the ledger. Every filter is ANDed; times are epoch ms. */
export interface LedgerQuery {
  readonly user?: string;
  /** The leaf agent of the call. */
  readonly agent?: string;
  readonly action?: string;
  readonly tool?: string;
  readonly decision?: DecisionEffect;
  readonly kind?: LedgerEventKind;
  readonly callId?: string;
  readonly tenant?: string;
  readonly chainId?: string;
  /**
   * true: only allowed decisions whose call has no outcome row: calls still
   * running or paused (an interrupt), and calls whose outcome a crash lost
   * (outcomes are group-committed; decisions are durable before a tool runs).
   */
  readonly withoutOutcome?: boolean;
  /** Inclusive. */
  readonly from?: number;
  /** Exclusive. */
  readonly to?: number;
  /** Oldest first (default) or newest first. */
  readonly order?: "asc" | "desc";
  /** Rows per page, 1–1000. Default 100. */
  readonly limit?: number;
  /** `nextCursor` of the previous page, unchanged. */
  readonly cursor?: string;
}

export interface LedgerPage {
  readonly records: readonly LedgerRecord[];
  /** Present when more rows may follow: pass it as `cursor` for the next page. */
  readonly nextCursor?: string;
}
