import { foldPeaks } from "./merkle-tree-builder.js";

/** Leaves [start, end) of a tree: a subtree a proof names by its hash, MTH(D[start:end]). */
export interface LeafRange {
  readonly start: number;
  readonly end: number;
}

/** A perfect subtree: 2^level leaves starting at leaf index × 2^level. */
export interface PerfectSubtree {
  readonly level: number;
  readonly index: number;
}

/**
 * The perfect subtrees a proof's range is made of, left to right: where a
 * store finds the hashes it keeps (or hashes them from their leaves). A
 * range a proof names always starts on a multiple of the power of two that
 * covers it.
 */
export function perfectSubtrees(range: LeafRange): PerfectSubtree[] {
  const { start, end } = range;
  const length = end - start;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || length <= 0)
    throw new TypeError("A leaf range is [start, end) with 0 ≤ start < end.");
  if (start % powerOfTwoCeiling(length) !== 0)
    throw new TypeError("A subtree's range starts on a multiple of the power of two covering it.");
  const subtrees: PerfectSubtree[] = [];
  let at = start;
  for (let size = powerOfTwoCeiling(length); at < end; size /= 2) {
    if (at + size > end) continue;
    const level = Math.log2(size);
    subtrees.push({ level, index: at / size });
    at += size;
  }
  return subtrees;
}

/** MTH of a range from the hashes of its perfectSubtrees(), in the same order. */
export function rangeHash(subtreeHashes: readonly string[]): string {
  if (subtreeHashes.length === 0) throw new TypeError("A range has at least one subtree.");
  return foldPeaks(subtreeHashes);
}

/** The largest power of two smaller than `n` (n ≥ 2): where RFC 9162 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  return powerOfTwoCeiling(n) / 2;
}

function powerOfTwoCeiling(n: number): number {
  let power = 1;
  while (power < n) power *= 2;
  return power;
}
