import { EMPTY_TREE_HASH, merkleNodeHash } from "./merkle-hash.js";

/** A perfect subtree the builder completed: 2^level leaves from leaf index × 2^level. */
export interface CompletedSubtree {
  readonly level: number;
  readonly index: number;
  readonly hash: string;
}

export interface MerkleTreeBuilderOptions {
  /** Continue a tree of this many leaves… */
  readonly size?: number;
  /** …whose perfect subtrees (largest, leftmost first) have these hashes: its `peaks`. */
  readonly peaks?: readonly string[];
  /** Told of every perfect subtree completed at `minLevel` or above, as leaves arrive. */
  readonly onSubtree?: (subtree: CompletedSubtree) => void;
  readonly minLevel?: number;
}

/**
 * Builds an RFC 9162 Merkle tree a leaf at a time, keeping only the roots of
 * the perfect subtrees the tree is made of (one per set bit of its size), so
 * a million leaves cost a million leaf pushes, about as many node hashes, and
 * O(log n) memory. The root at any size is the fold of those peaks.
 */
export class MerkleTreeBuilder {
  #size: number;
  readonly #peaks: string[];
  readonly #onSubtree: ((subtree: CompletedSubtree) => void) | undefined;
  readonly #minLevel: number;

  constructor(options: MerkleTreeBuilderOptions = {}) {
    const size = options.size ?? 0;
    const peaks = [...(options.peaks ?? [])];
    if (!Number.isSafeInteger(size) || size < 0)
      throw new TypeError("A Merkle tree's size is a whole number of leaves.");
    if (peaks.length !== bitCount(size))
      throw new TypeError(
        `A tree of ${size} leaves has ${bitCount(size)} perfect subtrees, not ${peaks.length}.`,
      );
    this.#size = size;
    this.#peaks = peaks;
    this.#onSubtree = options.onSubtree;
    this.#minLevel = options.minLevel ?? 1;
  }

  /** Leaves pushed so far (with the size it started from). */
  get size(): number {
    return this.#size;
  }

  /** The roots of the tree's perfect subtrees, largest (leftmost) first. */
  get peaks(): readonly string[] {
    return this.#peaks;
  }

  /** Appends a leaf, given as its leaf hash. */
  push(leafHash: string): void {
    let node = leafHash;
    let level = 0;
    // Each trailing 1 bit of the old size is a peak of the same height to merge with.
    for (let rest = this.#size; rest % 2 === 1; rest = (rest - 1) / 2) {
      node = merkleNodeHash(this.#peaks.pop() as string, node);
      level++;
      if (level >= this.#minLevel && this.#onSubtree) {
        this.#onSubtree({ level, index: (this.#size + 1) / 2 ** level - 1, hash: node });
      }
    }
    this.#peaks.push(node);
    this.#size++;
  }

  /** MTH of the leaves so far. */
  root(): string {
    return foldPeaks(this.#peaks);
  }
}

/** MTH of a tree from its perfect subtrees' hashes, left to right: RFC 9162 puts the largest power of two on the left. */
export function foldPeaks(peaks: readonly string[]): string {
  let root = peaks[peaks.length - 1];
  if (root === undefined) return EMPTY_TREE_HASH;
  for (let index = peaks.length - 2; index >= 0; index--) {
    root = merkleNodeHash(peaks[index] as string, root);
  }
  return root;
}

function bitCount(value: number): number {
  let count = 0;
  for (let rest = value; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}
