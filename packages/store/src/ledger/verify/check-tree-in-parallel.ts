import { foldPeaks, GENESIS_HASH, MerkleTreeBuilder } from "@writ/core/backend";
import type { TreeSegment } from "../tree/tree-leaves.js";
import type { LedgerRange, LedgerRangeCheck } from "./ledger-range-check.js";
import { checkLedgerRanges } from "./ledger-range-pool.js";

/** Leaves per range: a perfect subtree's worth, so ranges are checked independently and joined by their roots. */
export const RANGE_LEAVES = 2 ** 13;

export interface ParallelTreeCheck {
  /** The SQLite file the workers read. */
  readonly file: string;
  readonly ledgerTable: string;
  /** The tree's segments, in tree order. */
  readonly segments: readonly TreeSegment[];
  /** The roots the tree must have at these sizes (tree heads in the store and from outside). */
  readonly roots: ReadonlyMap<number, readonly string[]>;
  /** "chainId seq" of the rows whose hash is wanted back: the signed checkpoints'. */
  readonly wanted: readonly string[];
  readonly workers: number;
  /** Hears how many rows are checked so far. */
  readonly onRows?: (rows: number) => void;
}

/** What the tree's rows verified to: enough to go on with the rows after it. */
export interface CheckedTree {
  readonly size: number;
  /** The tree's perfect subtrees' hashes, largest first (MerkleTreeBuilder's peaks). */
  readonly peaks: readonly string[];
  /** Each chain's last row in the tree. */
  readonly heads: ReadonlyMap<string, { readonly seq: number; readonly hash: string }>;
  /** Hashes of the wanted rows, by "chainId seq". */
  readonly hashesAt: ReadonlyMap<string, string>;
}

/**
 * Checks every row the Merkle tree places, its hash and chain link, and the
 * tree's root at every size in `roots`, on worker threads that each read a
 * range of the tree from the file. Resolves undefined on the first doubt of
 * any kind: this pass only confirms; verifying row by row names what is
 * wrong. Rejects (ledger.unavailable) when a worker fails.
 */
export async function checkTreeInParallel(
  check: ParallelTreeCheck,
): Promise<CheckedTree | undefined> {
  const ranges = rangesOf(check.segments, check.roots);
  if (!ranges) return undefined;
  const heads = new Map<string, { seq: number; hash: string }>();
  const hashesAt = new Map<string, string>();
  // The tree of whole ranges: each range's root is one of its leaves, at RANGE_LEAVES leaves below.
  const wholeRanges = new MerkleTreeBuilder();
  let peaks: readonly string[] = [];
  let rows = 0;
  let confirmed = true;
  /** Whether the range continues the chains and has the roots asked for. */
  const fits = (range: LedgerRangeCheck): boolean =>
    range.clean &&
    joins(range, heads) &&
    range.peaksAt.every(([size, rangePeaks]) => {
      const root = foldPeaks([...wholeRanges.peaks, ...rangePeaks]);
      return check.roots.get(size)?.every((expected) => expected === root) ?? true;
    });
  const accept = (range: LedgerRangeCheck): boolean => {
    if (!fits(range)) {
      confirmed = false;
      return false;
    }
    const at = ranges[range.index] as LedgerRange;
    for (const [chainId, seq, hash] of range.hashesAt) hashesAt.set(`${chainId} ${seq}`, hash);
    if (at.leaves === RANGE_LEAVES) {
      wholeRanges.push(range.peaks[0] as string);
      peaks = wholeRanges.peaks;
    } else {
      peaks = [...wholeRanges.peaks, ...range.peaks];
    }
    rows += at.leaves;
    check.onRows?.(rows);
    return true;
  };
  await checkLedgerRanges(
    { file: check.file, ledgerTable: check.ledgerTable, wanted: check.wanted },
    ranges,
    check.workers,
    accept,
  );
  return confirmed ? { size: rows, peaks: [...peaks], heads, hashesAt } : undefined;
}

/** Whether each chain in the range continues where it stopped in the ranges before. */
function joins(
  range: LedgerRangeCheck,
  heads: Map<string, { seq: number; hash: string }>,
): boolean {
  for (const run of range.chains) {
    const head = heads.get(run.chainId);
    if (run.firstSeq !== (head?.seq ?? 0) + 1) return false;
    if (run.firstPrevHash !== (head?.hash ?? GENESIS_HASH)) return false;
    heads.set(run.chainId, { seq: run.lastSeq, hash: run.lastHash });
  }
  return true;
}

/** The segments cut at every multiple of RANGE_LEAVES; undefined when they do not tile the tree in order. */
function rangesOf(
  segments: readonly TreeSegment[],
  roots: ReadonlyMap<number, readonly string[]>,
): LedgerRange[] | undefined {
  const sizes = [...roots.keys()].sort((a, b) => a - b);
  const ranges: LedgerRange[] = [];
  const nextSeq = new Map<string, number>();
  let pieces: TreeSegment[] = [];
  let at = 0;
  const close = () => {
    const treeStart = ranges.length * RANGE_LEAVES;
    ranges.push({
      index: ranges.length,
      treeStart,
      leaves: at - treeStart,
      segments: pieces,
      sizes: sizes.filter((size) => size > treeStart && size <= at),
    });
    pieces = [];
  };
  for (const segment of segments) {
    const expectedSeq = nextSeq.get(segment.chainId) ?? 1;
    if (segment.treeStart !== at || segment.firstSeq !== expectedSeq || segment.rowCount < 1) {
      return undefined;
    }
    let seq = segment.firstSeq;
    const end = segment.firstSeq + segment.rowCount;
    while (seq < end) {
      const rowCount = Math.min(end - seq, RANGE_LEAVES - (at % RANGE_LEAVES));
      pieces.push({ treeStart: at, chainId: segment.chainId, firstSeq: seq, rowCount });
      seq += rowCount;
      at += rowCount;
      if (at % RANGE_LEAVES === 0) close();
    }
    nextSeq.set(segment.chainId, end);
  }
  if (pieces.length > 0) close();
  return ranges;
}
