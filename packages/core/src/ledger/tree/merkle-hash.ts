import { hash } from "node:crypto";

/**
 * RFC 9162 §2.1.1 hashing, with SHA-256: a leaf is HASH(0x00 || data), an
 * interior node HASH(0x01 || left || right), the empty tree HASH(""). Hashes
 * are lowercase hex, as every ledger hash is. One scratch buffer serves every
 * call (all of them synchronous), so hashing a million nodes allocates no
 * buffers beyond the digests' strings.
 */
const scratch = Buffer.alloc(65);

/** The root of the tree with no leaves: SHA-256 of the empty string. */
export const EMPTY_TREE_HASH: string = hash("sha256", "", "hex");

/** MTH({d}): the hash of a leaf whose data is `data`. */
export function merkleLeafHash(data: Uint8Array): string {
  return hash("sha256", Buffer.concat([LEAF_PREFIX, data]), "hex");
}

/** The leaf a ledger row is in the tree: its data is the row's 32-byte hash. */
export function ledgerLeafHash(rowHash: string): string {
  scratch[0] = 0x00;
  scratch.write(rowHash, 1, 32, "hex");
  return hash("sha256", scratch.subarray(0, 33), "hex");
}

/** An interior node: HASH(0x01 || left || right). */
export function merkleNodeHash(left: string, right: string): string {
  scratch[0] = 0x01;
  scratch.write(left, 1, 32, "hex");
  scratch.write(right, 33, 32, "hex");
  return hash("sha256", scratch, "hex");
}

const LEAF_PREFIX = Buffer.from([0x00]);

const HASH = /^[0-9a-f]{64}$/;

/** Whether `value` is a hash as trees and proofs carry them: 64 lowercase hex digits. */
export function isMerkleHash(value: unknown): value is string {
  return typeof value === "string" && HASH.test(value);
}
