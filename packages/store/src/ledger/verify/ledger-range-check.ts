import { ledgerLeafHash, MerkleTreeBuilder, storedLedgerRowHash } from "@writ/core/backend";
import type { TreeSegment } from "../tree/tree-leaves.js";
import { fillStoredRow, type StoredRowScratch, storedRowScratch } from "./stored-row-scratch.js";

/** One run of leaves of the ledger's tree, checked on its own: a perfect subtree's worth, or the tree's last leaves. */
export interface LedgerRange {
  readonly index: number;
  /** Its first leaf: a multiple of the range size, so its subtree is independent of the leaves around it. */
  readonly treeStart: number;
  readonly leaves: number;
  /** The segments' parts that fall in this range, in tree order. */
  readonly segments: readonly TreeSegment[];
  /** Tree sizes in (treeStart, treeStart + leaves], ascending, without repeats, at which a tree head is to be checked. */
  readonly sizes: readonly number[];
}

/** A chain's rows within one range: how it joins the rows before and after. */
export interface ChainRun {
  readonly chainId: string;
  readonly firstSeq: number;
  readonly firstPrevHash: string;
  readonly lastSeq: number;
  readonly lastHash: string;
}

/** What the caller needs to join a range to the rest of the ledger. */
export interface LedgerRangeCheck {
  readonly index: number;
  /**
   * false: some row of the range is missing, out of order, unlinked or does
   * not match its hash. The range does not say which: the caller verifies
   * the ledger row by row to name the first problem.
   */
  readonly clean: boolean;
  /** The range's own tree at each size asked for, as its perfect subtrees' hashes, largest first. */
  readonly peaksAt: readonly (readonly [size: number, peaks: readonly string[]])[];
  /** The range's whole tree, the same way. */
  readonly peaks: readonly string[];
  readonly chains: readonly ChainRun[];
  /** Row hashes at the positions asked for (the signed checkpoints'), as [chainId, seq, hash]. */
  readonly hashesAt: readonly (readonly [chainId: string, seq: number, hash: string])[];
}

/** Reads one segment's rows, in seq order, as their values in LEDGER_COLUMNS order. */
export type ReadSegmentRows = (segment: TreeSegment) => Iterable<readonly unknown[]>;

/**
 * Recomputes every row's hash and the chain links inside one range, and the
 * range's Merkle subtree. `wanted` names the rows whose hash the caller
 * needs ("chainId seq"). Builds no object per row; stops at the first doubt.
 */
export function checkLedgerRange(
  range: LedgerRange,
  read: ReadSegmentRows,
  wanted: ReadonlySet<string>,
): LedgerRangeCheck {
  const tree = new MerkleTreeBuilder();
  const runs = new Map<string, { -readonly [K in keyof ChainRun]: ChainRun[K] }>();
  const peaksAt: [number, string[]][] = [];
  const hashesAt: [string, number, string][] = [];
  const row: StoredRowScratch = storedRowScratch();
  let sizes = 0;
  const result = (clean: boolean): LedgerRangeCheck => ({
    index: range.index,
    clean,
    peaksAt,
    peaks: [...tree.peaks],
    chains: [...runs.values()],
    hashesAt,
  });
  for (const segment of range.segments) {
    let seq = segment.firstSeq;
    for (const values of read(segment)) {
      fillStoredRow(row, values);
      if (row.chainId !== segment.chainId || row.seq !== seq) return result(false);
      const run = runs.get(row.chainId);
      if (run ? row.prevHash !== run.lastHash : false) return result(false);
      let hash: string;
      try {
        hash = storedLedgerRowHash(row);
      } catch {
        return result(false); // a detail that is not JSON: the row was edited
      }
      if (hash !== row.hash) return result(false);
      if (run) {
        run.lastSeq = seq;
        run.lastHash = hash;
      } else {
        runs.set(row.chainId, {
          chainId: row.chainId,
          firstSeq: seq,
          firstPrevHash: row.prevHash,
          lastSeq: seq,
          lastHash: hash,
        });
      }
      if (wanted.has(`${row.chainId} ${seq}`)) hashesAt.push([row.chainId, seq, hash]);
      tree.push(ledgerLeafHash(hash));
      if (range.treeStart + tree.size === range.sizes[sizes]) {
        peaksAt.push([range.sizes[sizes++] as number, [...tree.peaks]]);
      }
      seq++;
    }
    if (seq !== segment.firstSeq + segment.rowCount) return result(false); // rows are missing
  }
  return result(tree.size === range.leaves);
}
