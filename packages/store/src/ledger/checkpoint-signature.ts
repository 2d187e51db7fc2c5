import { canonicalJson } from "@writ/core/backend";

/** What a checkpoint signs: the head of one chain at one moment. */
export interface CheckpointClaim {
  readonly chainId: string;
  readonly seq: number;
  readonly hash: string;
  readonly time: number;
}

/** The exact bytes a checkpoint signature covers (RFC 8785 canonical JSON, UTF-8). */
export function checkpointSigningInput(claim: CheckpointClaim): Buffer {
  return Buffer.from(
    canonicalJson({
      typ: "writ-checkpoint",
      chainId: claim.chainId,
      seq: claim.seq,
      hash: claim.hash,
      time: claim.time,
    }),
    "utf8",
  );
}
