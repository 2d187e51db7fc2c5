import { readFileSync } from "node:fs";
import { KeyPair } from "@writ/core";
import {
  consistencyProofRanges,
  EMPTY_TREE_HASH,
  GENESIS_HASH,
  inclusionProofRanges,
  type LeafRange,
  type LedgerRecord,
  ledgerLeafHash,
  MerkleTreeBuilder,
  merkleLeafHash,
  merkleNodeHash,
  parseSignedTreeHead,
  perfectSubtrees,
  rangeHash,
  sealLedgerEntry,
  signTreeHead,
  verifyConsistency,
  verifyInclusion,
  verifyLedgerEvidence,
  verifyTreeHeadSignature,
} from "@writ/core/backend";
import { describe, expect, it } from "vitest";

interface Vectors {
  leaves: string[];
  roots: string[];
  nodes: string[][];
  inclusion: { index: number; size: number; proof: string[] }[];
  consistency: { size1: number; size2: number; proof: string[] }[];
}

const vectors = JSON.parse(
  readFileSync(new URL("../../../test/vectors/merkle-tree-vectors.json", import.meta.url), "utf8"),
) as Vectors;
const leafHashes = vectors.leaves.map((hex) => merkleLeafHash(Buffer.from(hex, "hex")));

/** MTH(D[start:end]) straight from RFC 9162's recursive definition: the reference the fast paths are held to. */
function referenceHash(leaves: readonly string[], start: number, end: number): string {
  const n = end - start;
  if (n === 0) return EMPTY_TREE_HASH;
  if (n === 1) return leaves[start] as string;
  let split = 1;
  while (split * 2 < n) split *= 2;
  return merkleNodeHash(
    referenceHash(leaves, start, start + split),
    referenceHash(leaves, start + split, end),
  );
}

const hashRanges = (leaves: readonly string[], ranges: readonly LeafRange[]) =>
  ranges.map(({ start, end }) => referenceHash(leaves, start, end));

/** n distinct leaf hashes. */
function leavesOf(n: number): string[] {
  return Array.from({ length: n }, (_, index) => merkleLeafHash(Buffer.from(`leaf ${index}`)));
}

function flip(hash: string): string {
  return `${hash[0] === "0" ? "1" : "0"}${hash.slice(1)}`;
}

describe("the ledger's Merkle tree (RFC 9162 §2.1)", () => {
  it("hashes leaves, nodes and the empty tree as the RFC's known answers do", () => {
    expect(EMPTY_TREE_HASH).toBe(vectors.roots[0]);
    expect(leafHashes).toEqual(vectors.nodes[0]);
    expect(merkleNodeHash(leafHashes[0] as string, leafHashes[1] as string)).toBe(
      vectors.nodes[1]?.[0],
    );
    expect(ledgerLeafHash("ab".repeat(32))).toBe(
      merkleLeafHash(Buffer.from("ab".repeat(32), "hex")),
    );
  });

  it("builds the root of every prefix a leaf at a time", () => {
    const builder = new MerkleTreeBuilder();
    expect(builder.root()).toBe(vectors.roots[0]);
    for (const [index, leaf] of leafHashes.entries()) {
      builder.push(leaf);
      expect(builder.root(), `size ${index + 1}`).toBe(vectors.roots[index + 1]);
    }
  });

  it("reports every perfect subtree it completes, and continues a tree from its peaks", () => {
    const completed: string[][] = [[], [], [], []];
    const builder = new MerkleTreeBuilder({
      onSubtree: ({ level, index, hash }) => {
        (completed[level] as string[])[index] = hash;
      },
    });
    for (const leaf of leafHashes.slice(0, 5)) builder.push(leaf);
    const resumed = new MerkleTreeBuilder({
      size: builder.size,
      peaks: builder.peaks,
      onSubtree: ({ level, index, hash }) => {
        (completed[level] as string[])[index] = hash;
      },
    });
    for (const leaf of leafHashes.slice(5)) resumed.push(leaf);
    expect(resumed.root()).toBe(vectors.roots[8]);
    expect(completed.slice(1)).toEqual(vectors.nodes.slice(1));
    expect(() => new MerkleTreeBuilder({ size: 5, peaks: ["a".repeat(64)] })).toThrow(TypeError);
  });

  it("splits a proof's range into the perfect subtrees a store keeps, and hashes it back", () => {
    expect(perfectSubtrees({ start: 8, end: 15 })).toEqual([
      { level: 2, index: 2 },
      { level: 1, index: 6 },
      { level: 0, index: 14 },
    ]);
    const leaves = leavesOf(40);
    for (const range of [
      { start: 0, end: 40 },
      { start: 32, end: 40 },
      { start: 16, end: 27 },
    ]) {
      const parts = perfectSubtrees(range).map(({ level, index }) =>
        referenceHash(leaves, index * 2 ** level, (index + 1) * 2 ** level),
      );
      expect(rangeHash(parts)).toBe(referenceHash(leaves, range.start, range.end));
    }
    expect(() => perfectSubtrees({ start: 3, end: 7 })).toThrow(TypeError);
  });

  describe("inclusion proofs", () => {
    it("match the RFC's known answers and verify against the root", () => {
      for (const { index, size, proof } of vectors.inclusion) {
        expect(
          hashRanges(leafHashes, inclusionProofRanges(index, size)),
          `${index}/${size}`,
        ).toEqual(proof);
        expect(
          verifyInclusion({
            leafIndex: index,
            treeSize: size,
            leafHash: leafHashes[index] as string,
            proof,
            rootHash: vectors.roots[size] as string,
          }),
        ).toBe(true);
      }
    });

    it("verify for every leaf of every tree up to 48 leaves, and fail for any change", () => {
      const leaves = leavesOf(48);
      for (let size = 1; size <= 48; size++) {
        const rootHash = referenceHash(leaves, 0, size);
        for (let leafIndex = 0; leafIndex < size; leafIndex++) {
          const proof = hashRanges(leaves, inclusionProofRanges(leafIndex, size));
          const claim = {
            leafIndex,
            treeSize: size,
            leafHash: leaves[leafIndex] as string,
            proof,
            rootHash,
          };
          expect(verifyInclusion(claim)).toBe(true);
          expect(verifyInclusion({ ...claim, rootHash: flip(rootHash) })).toBe(false);
          expect(verifyInclusion({ ...claim, leafHash: flip(claim.leafHash) })).toBe(false);
          if (size > 1) {
            expect(verifyInclusion({ ...claim, leafIndex: (leafIndex + 1) % size })).toBe(false);
            expect(verifyInclusion({ ...claim, proof: proof.slice(1) })).toBe(false);
            expect(
              verifyInclusion({ ...claim, proof: [flip(proof[0] as string), ...proof.slice(1)] }),
            ).toBe(false);
          }
          expect(verifyInclusion({ ...claim, proof: [...proof, rootHash] })).toBe(false);
        }
      }
    });

    it("refuse leaves outside the tree and hashes that are not hex", () => {
      const leaf = leafHashes[0] as string;
      expect(
        verifyInclusion({ leafIndex: 1, treeSize: 1, leafHash: leaf, proof: [], rootHash: leaf }),
      ).toBe(false);
      expect(
        verifyInclusion({ leafIndex: -1, treeSize: 1, leafHash: leaf, proof: [], rootHash: leaf }),
      ).toBe(false);
      expect(
        verifyInclusion({
          leafIndex: 0,
          treeSize: 1,
          leafHash: leaf.toUpperCase(),
          proof: [],
          rootHash: leaf,
        }),
      ).toBe(false);
      expect(() => inclusionProofRanges(3, 3)).toThrow(TypeError);
    });
  });

  describe("consistency proofs", () => {
    it("match the RFC's known answers and verify between the two roots", () => {
      for (const { size1, size2, proof } of vectors.consistency) {
        expect(
          hashRanges(leafHashes, consistencyProofRanges(size1, size2)),
          `${size1}→${size2}`,
        ).toEqual(proof);
        expect(
          verifyConsistency({
            size1,
            size2,
            rootHash1: vectors.roots[size1] as string,
            rootHash2: vectors.roots[size2] as string,
            proof,
          }),
        ).toBe(true);
      }
    });

    it("verify between every pair of sizes up to 48 leaves, and fail for any change", () => {
      const leaves = leavesOf(48);
      const roots = Array.from({ length: 49 }, (_, size) => referenceHash(leaves, 0, size));
      for (let size2 = 0; size2 <= 48; size2++) {
        for (let size1 = 0; size1 <= size2; size1++) {
          const proof = hashRanges(leaves, consistencyProofRanges(size1, size2));
          const claim = {
            size1,
            size2,
            rootHash1: roots[size1] as string,
            rootHash2: roots[size2] as string,
            proof,
          };
          expect(verifyConsistency(claim), `${size1}→${size2}`).toBe(true);
          if (size1 > 0 && size1 < size2) {
            expect(verifyConsistency({ ...claim, rootHash1: flip(claim.rootHash1) })).toBe(false);
            expect(verifyConsistency({ ...claim, rootHash2: flip(claim.rootHash2) })).toBe(false);
            expect(verifyConsistency({ ...claim, proof: proof.slice(0, -1) })).toBe(false);
            expect(
              verifyConsistency({
                ...claim,
                proof: proof.map((hash, index) => (index === 0 ? flip(hash) : hash)),
              }),
            ).toBe(false);
          }
        }
      }
    });

    it("fail when the later tree rewrote, dropped or reordered what the earlier one held", () => {
      const leaves = leavesOf(20);
      const rewritten = [...leaves];
      rewritten[3] = merkleLeafHash(Buffer.from("edited"));
      const reordered = [...leaves];
      [reordered[4], reordered[5]] = [reordered[5] as string, reordered[4] as string];
      const dropped = leaves.filter((_, index) => index !== 2);
      for (const later of [rewritten, reordered, dropped]) {
        expect(
          verifyConsistency({
            size1: 10,
            size2: later.length,
            rootHash1: referenceHash(leaves, 0, 10),
            rootHash2: referenceHash(later, 0, later.length),
            proof: hashRanges(later, consistencyProofRanges(10, later.length)),
          }),
        ).toBe(false);
      }
    });
  });

  describe("signed tree heads", () => {
    const key = KeyPair.fromSeed(new Uint8Array(32).fill(7));
    const head = signTreeHead(
      { treeSize: 8, rootHash: vectors.roots[8] as string, time: Date.UTC(2026, 0, 2) },
      key,
      "chain-1",
    );

    it("verify under the writer's key and fail once any signed member changes", () => {
      expect(head).toMatchObject({
        typ: "writ-tree-head",
        signer: "chain-1",
        publicJwk: key.publicJwk,
      });
      expect(verifyTreeHeadSignature(head)).toBe(true);
      expect(verifyTreeHeadSignature(head, key.publicKey)).toBe(true);
      expect(verifyTreeHeadSignature(head, KeyPair.generate().publicKey)).toBe(false);
      expect(verifyTreeHeadSignature({ ...head, treeSize: 9 })).toBe(false);
      expect(verifyTreeHeadSignature({ ...head, rootHash: flip(head.rootHash) })).toBe(false);
      expect(verifyTreeHeadSignature({ ...head, time: head.time + 1 })).toBe(false);
    });

    it("read back from JSON, naming the member that is wrong", () => {
      expect(parseSignedTreeHead(JSON.parse(JSON.stringify(head)))).toEqual(head);
      expect(() => parseSignedTreeHead({ ...head, treeSize: "8" })).toThrow(/"treeSize"/);
      expect(() => parseSignedTreeHead({ ...head, rootHash: "xyz" })).toThrow(/"rootHash"/);
      expect(() => parseSignedTreeHead([])).toThrow(TypeError);
    });
  });

  describe("evidence of one ledger row", () => {
    const key = KeyPair.fromSeed(new Uint8Array(32).fill(9));
    const records: LedgerRecord[] = [];
    let prevHash = GENESIS_HASH;
    for (let seq = 1; seq <= 11; seq++) {
      const record = sealLedgerEntry(
        {
          kind: "decision",
          time: 1000 + seq,
          user: "alice",
          action: "docs.read",
          decision: "allow",
        },
        { chainId: "chain-1", seq, id: `row-${seq}`, prevHash },
      );
      records.push(record);
      prevHash = record.hash;
    }
    const leaves = records.map((record) => ledgerLeafHash(record.hash));
    const treeHead = signTreeHead(
      { treeSize: leaves.length, rootHash: referenceHash(leaves, 0, leaves.length), time: 5000 },
      key,
      "chain-1",
    );
    const evidence = {
      record: records[6] as LedgerRecord,
      leafIndex: 6,
      treeHead,
      proof: hashRanges(leaves, inclusionProofRanges(6, leaves.length)),
    };

    it("verifies on its own: row, signature and inclusion", () => {
      expect(verifyLedgerEvidence(evidence)).toMatchObject({ ok: true });
    });

    it("names what fails: an edited row, a forged head, a proof for another row", () => {
      expect(
        verifyLedgerEvidence({ ...evidence, record: { ...evidence.record, decision: "deny" } }),
      ).toMatchObject({ ok: false, problem: "record_hash" });
      expect(
        verifyLedgerEvidence({ ...evidence, treeHead: { ...treeHead, treeSize: 12 } }),
      ).toMatchObject({ ok: false, problem: "tree_head_signature" });
      expect(
        verifyLedgerEvidence({ ...evidence, record: records[5] as LedgerRecord }),
      ).toMatchObject({ ok: false, problem: "inclusion" });
    });
  });
});
