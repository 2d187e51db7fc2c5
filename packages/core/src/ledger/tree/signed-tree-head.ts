import { canonicalJson } from "../../encoding/canonical-json.js";
import type { Ed25519PublicJwk } from "../../keys/jwk.js";
import type { KeyPair } from "../../keys/key-pair.js";
import { importPublicKey, type PublicKey } from "../../keys/public-key.js";
import { isMerkleHash } from "./merkle-hash.js";

/** The state of the ledger's Merkle tree at one moment (RFC 9162's TreeHeadDataV2). */
export interface TreeHead {
  /** Ledger rows in the tree, in its one global order. */
  readonly treeSize: number;
  /** MTH of those rows' leaves, hex. */
  readonly rootHash: string;
  /** When it was signed, epoch ms. */
  readonly time: number;
}

/**
 * A tree head signed by one writer's key. It carries that key's public half,
 * so a copy kept outside the store (a witness's) verifies on its own.
 */
export interface SignedTreeHead extends TreeHead {
  readonly typ: "writ-tree-head";
  /** The writer chain whose key signed it. */
  readonly signer: string;
  readonly publicJwk: Ed25519PublicJwk;
  /** base64url Ed25519 signature over treeHeadSigningInput(). */
  readonly signature: string;
}

export const TREE_HEAD_TYPE = "writ-tree-head";

/** The exact bytes a tree head's signature covers (RFC 8785 canonical JSON, UTF-8). */
export function treeHeadSigningInput(head: TreeHead): Buffer {
  return Buffer.from(
    canonicalJson({
      typ: TREE_HEAD_TYPE,
      treeSize: head.treeSize,
      rootHash: head.rootHash,
      time: head.time,
    }),
    "utf8",
  );
}

/** Signs `head` with a writer's key. */
export function signTreeHead(head: TreeHead, key: KeyPair, signer: string): SignedTreeHead {
  return {
    typ: TREE_HEAD_TYPE,
    treeSize: head.treeSize,
    rootHash: head.rootHash,
    time: head.time,
    signer,
    publicJwk: key.publicJwk,
    signature: key.sign(treeHeadSigningInput(head)).toString("base64url"),
  };
}

/**
 * Whether the signature holds, under `key` when given (the writer's key as
 * the store registered it), else under the key the head carries.
 */
export function verifyTreeHeadSignature(head: SignedTreeHead, key?: PublicKey): boolean {
  let verifier = key;
  try {
    verifier ??= importPublicKey(head.publicJwk);
  } catch {
    return false;
  }
  return verifier.verify(treeHeadSigningInput(head), Buffer.from(head.signature, "base64url"));
}

/**
 * Reads a signed tree head from parsed JSON (a witness's copy, a file an
 * auditor kept), checking every member's type; throws a TypeError naming the
 * first member that is wrong. It does not check the signature.
 */
export function parseSignedTreeHead(value: unknown): SignedTreeHead {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new TypeError("A signed tree head is a JSON object.");
  const head = value as Record<string, unknown>;
  const problem =
    head.typ !== TREE_HEAD_TYPE
      ? `"typ" must be "${TREE_HEAD_TYPE}"`
      : !Number.isSafeInteger(head.treeSize) || (head.treeSize as number) < 0
        ? '"treeSize" must be a whole number'
        : !isMerkleHash(head.rootHash)
          ? '"rootHash" must be 64 lowercase hex digits'
          : !Number.isSafeInteger(head.time)
            ? '"time" must be epoch milliseconds'
            : typeof head.signer !== "string" || head.signer.length === 0
              ? '"signer" must name the writer chain that signed it'
              : head.publicJwk === null || typeof head.publicJwk !== "object"
                ? '"publicJwk" must be the signer\'s public JWK'
                : typeof head.signature !== "string" || head.signature.length === 0
                  ? '"signature" must be a base64url signature'
                  : undefined;
  if (problem) throw new TypeError(`Not a signed tree head: ${problem}.`);
  return {
    typ: TREE_HEAD_TYPE,
    treeSize: head.treeSize as number,
    rootHash: head.rootHash as string,
    time: head.time as number,
    signer: head.signer as string,
    publicJwk: head.publicJwk as Ed25519PublicJwk,
    signature: head.signature as string,
  };
}
