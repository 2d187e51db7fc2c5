import type { LedgerBreak } from "../ledger/verify-ledger-chain.js";

/** Where and why the ledger stops verifying. */
export interface LedgerProblem {
  readonly chainId: string;
  /** The first row that is broken or missing. */
  readonly seq: number;
  /** The row's event id, when the row exists. */
  readonly id?: string;
  readonly problem:
    | LedgerBreak["problem"]
    | "truncated"
    | "checkpoint_mismatch"
    | "checkpoint_signature"
    | "unknown_chain";
  readonly message: string;
}

export interface LedgerVerification {
  readonly ok: boolean;
  readonly rows: number;
  readonly chains: number;
  readonly checkpoints: number;
  /** The first problem, in (chain, seq) order; absent when ok. */
  readonly problem?: LedgerProblem;
}

/** How far a verification is: rows checked so far of the rows there were when it started. */
export interface VerificationProgress {
  readonly rows: number;
  readonly total: number;
}
