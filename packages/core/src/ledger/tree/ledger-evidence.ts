import { type LedgerRecord, ledgerRecordHash } from "../ledger-record.js";
import { verifyInclusion } from "./inclusion-proof.js";
import { ledgerLeafHash } from "./merkle-hash.js";
import { type SignedTreeHead, verifyTreeHeadSignature } from "./signed-tree-head.js";

/**
 * Evidence of one ledger row an auditor can check without the ledger: the
 * row, where it sits in the tree, a signed tree head, and the inclusion
 * proof that ties the two.
 */
export interface LedgerEvidence {
  readonly record: LedgerRecord;
  readonly leafIndex: number;
  readonly treeHead: SignedTreeHead;
  /** RFC 9162 inclusion path, the leaf's sibling first. */
  readonly proof: readonly string[];
}

export type LedgerEvidenceProblem = "record_hash" | "tree_head_signature" | "inclusion";

export interface LedgerEvidenceCheck {
  readonly ok: boolean;
  readonly problem?: LedgerEvidenceProblem;
  readonly message: string;
}

/**
 * Checks evidence on its own: the row's hash is its contents', the tree head
 * is signed by the key it names, and the proof puts the row in that tree.
 * Whether to trust the tree head (a copy you kept, a key you know) is the
 * auditor's to decide.
 */
export function verifyLedgerEvidence(evidence: LedgerEvidence): LedgerEvidenceCheck {
  const { record, leafIndex, treeHead, proof } = evidence;
  let recomputed: string;
  try {
    recomputed = ledgerRecordHash(record);
  } catch {
    recomputed = "";
  }
  if (recomputed !== record.hash) {
    return {
      ok: false,
      problem: "record_hash",
      message: "The row's contents do not match its hash: it was edited.",
    };
  }
  if (!verifyTreeHeadSignature(treeHead)) {
    return {
      ok: false,
      problem: "tree_head_signature",
      message: "The tree head's signature does not verify under the key it names.",
    };
  }
  const included = verifyInclusion({
    leafIndex,
    treeSize: treeHead.treeSize,
    leafHash: ledgerLeafHash(record.hash),
    proof,
    rootHash: treeHead.rootHash,
  });
  return included
    ? {
        ok: true,
        message: `Row ${record.id} is leaf ${leafIndex} of the ledger tree of ${treeHead.treeSize} rows signed at ${new Date(treeHead.time).toISOString()}.`,
      }
    : {
        ok: false,
        problem: "inclusion",
        message: "The inclusion proof does not lead from the row to the tree head's root.",
      };
}
