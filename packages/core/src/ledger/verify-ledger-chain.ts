import {
  GENESIS_HASH,
  type LedgerRecord,
  ledgerRecordHash,
  type StoredLedgerRow,
  storedLedgerRowHash,
} from "./ledger-record.js";

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
  readonly #heads: Map<string, { seq: number; hash: string }>;
  #rows: number;

  /** `from`: continue after rows already verified elsewhere (another thread), from each chain's last one. */
  constructor(from?: {
    readonly heads: ReadonlyMap<string, { readonly seq: number; readonly hash: string }>;
    readonly rows: number;
  }) {
    this.#heads = new Map(
      [...(from?.heads ?? [])].map(([chainId, { seq, hash }]) => [chainId, { seq, hash }]),
    );
    this.#rows = from?.rows ?? 0;
  }

  /** Checks the next row; returns the break if this row is where a chain fails. */
  push(record: LedgerRecord): LedgerBreak | undefined {
    return this.#linkage(record) ?? this.#contents(record, ledgerRecordHash(record));
  }

  /** push() for a row as stored, hashed from its columns (storedLedgerRowHash). */
  pushStored(row: StoredLedgerRow): LedgerBreak | undefined {
    return this.#linkage(row) ?? this.#contents(row, storedRowHash(row));
  }

  get rows(): number {
    return this.#rows;
  }

  /** The last verified row of each chain, for checking against signed checkpoints. */
  heads(): ReadonlyMap<string, { readonly seq: number; readonly hash: string }> {
    return this.#heads;
  }

  #linkage(row: ChainPosition): LedgerBreak | undefined {
    const head = this.#heads.get(row.chainId);
    const seq = head?.seq ?? 0;
    if (row.seq !== seq + 1) {
      return broken(row, "sequence_gap", `expected row ${seq + 1}; rows were deleted or reordered`);
    }
    if (row.prevHash !== (head?.hash ?? GENESIS_HASH)) {
      return broken(
        row,
        "prev_hash_mismatch",
        "its prev_hash does not match the row before; rows were changed, removed or reordered",
      );
    }
    return undefined;
  }

  #contents(row: ChainPosition, contentHash: string): LedgerBreak | undefined {
    if (contentHash !== row.hash) {
      return broken(row, "hash_mismatch", "its contents do not match its hash; the row was edited");
    }
    const head = this.#heads.get(row.chainId);
    if (head) {
      head.seq = row.seq;
      head.hash = row.hash;
    } else {
      this.#heads.set(row.chainId, { seq: row.seq, hash: row.hash });
    }
    this.#rows++;
    return undefined;
  }
}

type ChainPosition = Pick<LedgerRecord, "chainId" | "seq" | "id" | "prevHash" | "hash">;

function broken(row: ChainPosition, problem: LedgerBreak["problem"], message: string): LedgerBreak {
  return {
    chainId: row.chainId,
    seq: row.seq,
    id: row.id,
    problem,
    message: `Ledger chain ${row.chainId}, row ${row.seq} (${row.id}): ${message}`,
  };
}

function storedRowHash(row: StoredLedgerRow): string {
  try {
    return storedLedgerRowHash(row);
  } catch {
    return ""; // a detail that is not JSON: the row was edited
  }
}
