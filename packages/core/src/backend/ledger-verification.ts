import type { SignedTreeHead } from "../ledger/tree/signed-tree-head.js";
import type { LedgerBreak } from "../ledger/verify-ledger-chain.js";

/** Where and why the ledger stops verifying. */
export interface LedgerProblem {
  /** The chain of the first row that is broken or missing, when one row is to blame. */
  readonly chainId?: string;
  readonly seq?: number;
  /** The row's event id, when the row exists. */
  readonly id?: string;
  /** The tree size a tree-level problem is about. */
  readonly treeSize?: number;
  readonly problem:
    | LedgerBreak["problem"]
    | "truncated"
    | "missing_row"
    | "checkpoint_mismatch"
    | "checkpoint_signature"
    | "unknown_chain"
    | "tree_mismatch"
    | "tree_truncated"
    | "tree_head_signature"
    | "tree_segments";
  readonly message: string;
}

/** A tree head as verification saw it. */
export interface VerifiedTreeHead {
  readonly treeSize: number;
  readonly rootHash: string;
  readonly time: number;
  readonly signer: string;
}

export interface LedgerVerification {
  readonly ok: boolean;
  /** Rows whose hash and chain link were recomputed. */
  readonly rows: number;
  readonly chains: number;
  readonly checkpoints: number;
  readonly tree: {
    /** Rows the Merkle tree places, in its one global order. */
    readonly size: number;
    /** Signed tree heads in the store whose root was recomputed. */
    readonly treeHeads: number;
    /** The newest signed tree head in the store, and its age at verification (ms). */
    readonly newest?: VerifiedTreeHead & { readonly ageMs: number };
    /** Rows no tree head covers yet: protected by their chains and checkpoints alone. */
    readonly uncovered: number;
    /** Tree heads kept outside the store that the ledger was checked against. */
    readonly against: readonly VerifiedTreeHead[];
  };
  /** What this verification cannot rule out, in plain words. Empty only when nothing is left open. */
  readonly unverified: readonly string[];
  /** The first problem; absent when ok. */
  readonly problem?: LedgerProblem;
}

/** How far a verification is: rows checked so far of the rows there were when it started. */
export interface VerificationProgress {
  readonly rows: number;
  readonly total: number;
}

export interface VerifyLedgerOptions {
  /**
   * Tree heads kept outside the store (a witness's copies, the last one in
   * an export): the ledger must still hold exactly the tree each describes,
   * so rows or whole chains deleted with the store's own tree heads show.
   */
  readonly against?: readonly SignedTreeHead[];
  /** Hears how far the verification is after each page of rows. */
  readonly onProgress?: (progress: VerificationProgress) => void;
}
