import { GENESIS_HASH, type LedgerRecord, ledgerRecordHash } from "./ledger-record.js";

/** The first row where a chain stops verifying, and why. */
export interface LedgerBreak {
  readonly chainId: string;
  readonly seq: number;
  readonly id: string;
  readonly problem: "hash_mismatch" | "prev_hash_mismatch" | "sequence_gap";
  readonly message: string;
}

/**
 * Verifies hash chains incrementally, one row at a time, so a store can stream
 * millions of rows through it. Rows of one chain must arrive in `seq` order;
 * chains may interleave.
 */
export class LedgerChainVerifier {
  readonly #heads = new Map<string, { seq: number; hash: string }>();
  #rows = 0;

  /** Checks the next row; returns the break if this row is where a chain fails. */
  push(record: LedgerRecord): LedgerBreak | undefined {
    const head = this.#heads.get(record.chainId) ?? { seq: 0, hash: GENESIS_HASH };
    const fail = (problem: LedgerBreak["problem"], message: string): LedgerBreak => ({
      chainId: record.chainId,
      seq: record.seq,
      id: record.id,
      problem,
      message: `Ledger chain ${record.chainId}, row ${record.seq} (${record.id}): ${message}`,
    });
    if (record.seq !== head.seq + 1) {
      return fail("sequence_gap", `expected row ${head.seq + 1}; rows were deleted or reordered`);
    }
    if (record.prevHash !== head.hash) {
      return fail(
        "prev_hash_mismatch",
        "its prev_hash does not match the row before; rows were changed, removed or reordered",
      );
    }
    if (ledgerRecordHash(record) !== record.hash) {
      return fail("hash_mismatch", "its contents do not match its hash; the row was edited");
    }
    this.#heads.set(record.chainId, { seq: record.seq, hash: record.hash });
    this.#rows++;
    return undefined;
  }

  get rows(): number {
    return this.#rows;
  }

  /** The last verified row of each chain, for checking against signed checkpoints. */
  heads(): ReadonlyMap<string, { readonly seq: number; readonly hash: string }> {
    return this.#heads;
  }
}
