import { EMPTY_TREE_HASH, isMerkleHash, merkleNodeHash } from "./merkle-hash.js";
import { type LeafRange, splitPoint } from "./merkle-range.js";

/** A consistency proof between two sizes of the tree (RFC 9162 §2.1.4), as a store hands it out. */
export interface ConsistencyProof {
  readonly size1: number;
  readonly size2: number;
  readonly proof: readonly string[];
}

/**
 * RFC 9162 §2.1.4.1, PROOF(m, D[n]): the subtrees whose hashes prove that
 * the tree of `size1` leaves is a prefix of the tree of `size2`, so nothing
 * in the first was changed, removed or reordered to make the second. Empty
 * when the sizes are equal or the first tree is empty.
 */
export function consistencyProofRanges(size1: number, size2: number): LeafRange[] {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 0 || size1 > size2)
    throw new TypeError("A consistency proof is between sizes 0 ≤ size1 ≤ size2.");
  return size1 === 0 ? [] : subproof(size1, 0, size2, true);
}

function subproof(m: number, start: number, n: number, complete: boolean): LeafRange[] {
  if (m === n) return complete ? [] : [{ start, end: start + m }];
  const split = splitPoint(n);
  return m <= split
    ? [...subproof(m, start, split, complete), { start: start + split, end: start + n }]
    : [...subproof(m - split, start + split, n - split, false), { start, end: start + split }];
}

export interface ConsistencyClaim {
  readonly size1: number;
  readonly size2: number;
  readonly rootHash1: string;
  readonly rootHash2: string;
  readonly proof: readonly string[];
}

/** RFC 9162 §2.1.4.2: whether `proof` shows the tree of size1 (root1) is a prefix of the tree of size2 (root2). */
export function verifyConsistency(claim: ConsistencyClaim): boolean {
  const { size1, size2, rootHash1, rootHash2, proof } = claim;
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2)) return false;
  if (size1 < 0 || size1 > size2) return false;
  if (!isMerkleHash(rootHash1) || !isMerkleHash(rootHash2) || !proof.every(isMerkleHash))
    return false;
  if (size1 === 0) return proof.length === 0 && rootHash1 === EMPTY_TREE_HASH;
  if (size1 === size2) return proof.length === 0 && rootHash1 === rootHash2;
  if (proof.length === 0) return false;
  // When size1 is a power of two its root is a node of the second tree, not in the proof.
  const path = isPowerOfTwo(size1) ? [rootHash1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  let fr = path[0] as string;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = merkleNodeHash(c, fr);
      sr = merkleNodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = merkleNodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr === rootHash1 && sr === rootHash2 && sn === 0;
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(Math.log2(n));
}
