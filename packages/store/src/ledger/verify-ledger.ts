import { importPublicKey, type PublicKey } from "@writ/core";
import {
  LedgerChainVerifier,
  type LedgerProblem,
  type LedgerVerification,
  type VerificationProgress,
} from "@writ/core/backend";
import { groupInto } from "../group-into.js";
import { integer, text } from "../sql/row-values.js";
import type { SqlExecutor } from "../sql/sql-driver.js";
import type { StoreContext } from "../store-context.js";
import { checkpointSigningInput } from "./checkpoint-signature.js";
import { LEDGER_SELECT, recordOf } from "./ledger-rows.js";

interface Checkpoint {
  readonly chainId: string;
  readonly seq: number;
  readonly hash: string;
  readonly time: number;
  readonly signature: string;
}

const PAGE = 2000;

/**
 * Recomputes every chain and checks every signed checkpoint, streaming rows
 * a page at a time. A checkpoint past a chain's last row means rows were
 * deleted from its tail; rows after the last checkpoint are only protected by
 * the chain itself.
 */
export async function verifyLedger(
  ctx: StoreContext,
  db: SqlExecutor,
  onProgress?: (progress: VerificationProgress) => void,
): Promise<LedgerVerification> {
  const { tables } = ctx;
  const total = onProgress
    ? integer((await db.all(`SELECT COUNT(*) AS n FROM ${tables.ledger}`))[0] ?? { n: 0 }, "n")
    : 0;
  const keys = new Map<string, PublicKey | undefined>();
  for (const row of await db.all(`SELECT chain_id, public_jwk FROM ${tables.ledgerChains}`)) {
    let key: PublicKey | undefined;
    try {
      key = importPublicKey(JSON.parse(text(row, "public_jwk")));
    } catch {
      key = undefined; // reported as a bad signature on the chain's checkpoints
    }
    keys.set(text(row, "chain_id"), key);
  }
  const checkpoints = new Map<string, Checkpoint[]>();
  let checkpointCount = 0;
  for (const row of await db.all(
    `SELECT chain_id, seq, hash, time, signature FROM ${tables.ledgerCheckpoints} ORDER BY chain_id, seq`,
  )) {
    const checkpoint: Checkpoint = {
      chainId: text(row, "chain_id"),
      seq: integer(row, "seq"),
      hash: text(row, "hash"),
      time: integer(row, "time"),
      signature: text(row, "signature"),
    };
    groupInto(checkpoints, checkpoint.chainId, () => [] as Checkpoint[]).push(checkpoint);
    checkpointCount++;
  }

  const verifier = new LedgerChainVerifier();
  const seen = new Set<string>();
  const result = (problem?: LedgerProblem): LedgerVerification => ({
    ok: problem === undefined,
    rows: verifier.rows,
    chains: seen.size,
    checkpoints: checkpointCount,
    ...(problem ? { problem } : {}),
  });
  const signatureProblem = (checkpoint: Checkpoint): LedgerProblem | undefined => {
    const key = keys.get(checkpoint.chainId);
    if (
      key?.verify(
        checkpointSigningInput(checkpoint),
        Buffer.from(checkpoint.signature, "base64url"),
      )
    )
      return undefined;
    return {
      chainId: checkpoint.chainId,
      seq: checkpoint.seq,
      problem: "checkpoint_signature",
      message: `Ledger chain ${checkpoint.chainId}: the checkpoint at row ${checkpoint.seq} is not signed by the chain's key; it was forged or altered.`,
    };
  };
  /** Checkpoints left over once a chain's rows end name rows that are gone. */
  const finish = (chainId: string, lastSeq: number): LedgerProblem | undefined => {
    const left = checkpoints.get(chainId) ?? [];
    const beyond = left.find((checkpoint) => checkpoint.seq > lastSeq);
    if (!beyond) return undefined;
    return (
      signatureProblem(beyond) ?? {
        chainId,
        seq: lastSeq + 1,
        problem: "truncated",
        message: `Ledger chain ${chainId}: rows from ${lastSeq + 1} on are missing, though a signed checkpoint covers row ${beyond.seq}; rows were deleted from the end.`,
      }
    );
  };

  // Chain by chain, each read as index range scans on (chain_id, seq).
  const chainIds = (
    await db.all(`SELECT DISTINCT chain_id FROM ${tables.ledger} ORDER BY chain_id`)
  ).map((row) => text(row, "chain_id"));
  for (const chainId of chainIds) {
    let lastSeq = 0;
    for (;;) {
      const rows = await db.all(
        `SELECT ${LEDGER_SELECT} FROM ${tables.ledger} WHERE chain_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
        [chainId, lastSeq, PAGE],
      );
      for (const row of rows) {
        const record = recordOf(row);
        if (!seen.has(chainId)) {
          if (!keys.has(chainId)) {
            return result({
              chainId,
              seq: record.seq,
              id: record.id,
              problem: "unknown_chain",
              message: `Ledger chain ${chainId} has rows but no registered writer key; rows were inserted outside Writ.`,
            });
          }
          seen.add(chainId);
        }
        const broken = verifier.push(record);
        if (broken) return result(broken);
        lastSeq = record.seq;
        const list = checkpoints.get(chainId);
        while (list?.[0] && list[0].seq <= record.seq) {
          const checkpoint = list.shift() as Checkpoint;
          const bad = signatureProblem(checkpoint);
          if (bad) return result(bad);
          if (checkpoint.seq === record.seq && checkpoint.hash !== record.hash) {
            return result({
              chainId,
              seq: record.seq,
              id: record.id,
              problem: "checkpoint_mismatch",
              message: `Ledger chain ${chainId}, row ${record.seq} (${record.id}): its hash differs from the signed checkpoint; the chain was rewritten.`,
            });
          }
        }
      }
      onProgress?.({ rows: verifier.rows, total });
      if (rows.length < PAGE) break;
    }
    const problem = finish(chainId, lastSeq);
    if (problem) return result(problem);
  }
  for (const [chainId, list] of checkpoints) {
    if (!seen.has(chainId) && list.length > 0) {
      const missing = finish(chainId, 0);
      if (missing) return result(missing);
    }
  }
  return result();
}
