import { isMerkleHash, merkleNodeHash } from "./merkle-hash.js";
import { type LeafRange, splitPoint } from "./merkle-range.js";

/**
 * RFC 9162 §2.1.3.1, PATH(m, D[n]): the subtrees whose hashes prove leaf
 * `index` is in the tree of `size` leaves, its sibling first, the root's
 * other half last. A prover hashes each range; a verifier needs only them.
 */
export function inclusionProofRanges(index: number, size: number): LeafRange[] {
  if (!Number.isSafeInteger(size) || size < 1)
    throw new TypeError("An inclusion proof needs a tree of at least one leaf.");
  if (!Number.isSafeInteger(index) || index < 0 || index >= size)
    throw new TypeError(`Leaf ${String(index)} is not in a tree of ${size} leaves.`);
  return path(index, 0, size);
}

function path(index: number, start: number, size: number): LeafRange[] {
  if (size === 1) return [];
  const split = splitPoint(size);
  return index < split
    ? [...path(index, start, split), { start: start + split, end: start + size }]
    : [...path(index - split, start + split, size - split), { start, end: start + split }];
}

export interface InclusionClaim {
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly leafHash: string;
  readonly proof: readonly string[];
  readonly rootHash: string;
}

/** RFC 9162 §2.1.3.2: whether `proof` shows the leaf at `leafIndex` in the tree whose root is `rootHash`. */
export function verifyInclusion(claim: InclusionClaim): boolean {
  const { leafIndex, treeSize, leafHash, proof, rootHash } = claim;
  if (!Number.isSafeInteger(treeSize) || !Number.isSafeInteger(leafIndex)) return false;
  if (leafIndex < 0 || leafIndex >= treeSize) return false;
  if (!isMerkleHash(leafHash) || !isMerkleHash(rootHash) || !proof.every(isMerkleHash))
    return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = merkleNodeHash(p, r);
      // A left child with no right sibling at this level: climb until it is a right child.
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = merkleNodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r === rootHash;
}
