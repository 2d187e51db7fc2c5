import {
  GENESIS_HASH,
  knownFieldsHash,
  type LedgerEntry,
  type LedgerRecord,
  ledgerRowFields,
} from "../ledger/ledger-record.js";

/**
 * The memory backend's hash chain, hashed when read. A row is fixed as it is
 * appended (its place, id and every value; its detail copied), and its
 * `prevHash` and `hash` are computed, in chain order, the first time anything
 * reads a hash: the rows and hashes are exactly those sealing at append gives,
 * but a guard's call does not wait for a canonical text and a SHA-256 it never
 * reads (DESIGN §6: the chain is what verification and exports read).
 */
export class MemoryLedgerChain {
  readonly #chainId: string;
  readonly #rows: LedgerRecord[] = [];
  /** The hashes of the rows hashed so far, by seq - 1. */
  readonly #hashed: string[] = [];

  /**
   * Every row's `prevHash` and `hash`: the same two accessors on each row, so
   * rows share one shape and stay fast objects. Accessors made per row (each
   * its own closure) turn every row into a slow dictionary, ≈ 2 µs an append.
   */
  readonly #prevHash: PropertyDescriptor;
  readonly #hash: PropertyDescriptor;

  constructor(chainId: string) {
    this.#chainId = chainId;
    const chain = this;
    this.#prevHash = {
      enumerable: true,
      get(this: LedgerRecord) {
        const seq = chain.#seqOf(this);
        return seq === 1 ? GENESIS_HASH : chain.#hashUpTo(seq - 1);
      },
    };
    this.#hash = {
      enumerable: true,
      get(this: LedgerRecord) {
        return chain.#hashUpTo(chain.#seqOf(this));
      },
    };
  }

  /** Every row, in chain order; each hashes itself (and the rows before it) when read. */
  get rows(): readonly LedgerRecord[] {
    return this.#rows;
  }

  append(entry: LedgerEntry, id: string): LedgerRecord {
    const seq = this.#rows.length + 1;
    const fields = ledgerRowFields(entry, { chainId: this.#chainId, seq, id });
    // The detail is the writer's object: the row keeps a copy, which a later change cannot reach.
    if (fields.detail !== null) fields.detail = { ...fields.detail };
    // One property at a time: defineProperties takes twice as long for the same two.
    Object.defineProperty(fields, "prevHash", this.#prevHash);
    const row = Object.defineProperty(fields, "hash", this.#hash) as LedgerRecord;
    this.#rows.push(row);
    return row;
  }

  /** Where `row` is in the chain: its own seq, unless that was changed after the append. */
  #seqOf(row: LedgerRecord): number {
    return this.#rows[row.seq - 1] === row ? row.seq : this.#rows.indexOf(row) + 1;
  }

  /**
   * The hash of row `seq`, hashing every row up to it that is not yet, in
   * order: each reads its prevHash, the hash just before it.
   */
  #hashUpTo(seq: number): string {
    const hashed = this.#hashed;
    while (hashed.length < seq)
      hashed.push(knownFieldsHash(this.#rows[hashed.length] as LedgerRecord));
    return hashed[seq - 1] as string;
  }
}
