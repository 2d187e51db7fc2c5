import type { Clock, KeyPair, RandomSource } from "@writ/core";
import type { SignedTreeHead } from "@writ/core/backend";
import type { PayloadRedactor } from "./ledger/ledger-writer.js";
import type { TreeHeadWitness } from "./ledger/tree/tree-head-witness.js";

/** Options every Writ store takes. */
export interface StoreOptions {
  /** Epoch-ms clock for ledger times and records. Default the system clock. */
  readonly clock?: Clock;
  /** Randomness for event ids. Default node:crypto. */
  readonly random?: RandomSource;
  /** The issuer id of root writs this store issues (the `iss` guards pin). Default "writ". */
  readonly issuer?: string;
  /** A signed checkpoint after this many ledger rows. Default 1000. */
  readonly checkpointEvery?: number;
  /** …or after this long with unsealed rows, in ms. Default 60,000. The rows since the last checkpoint are protected by the chain alone. */
  readonly checkpointIntervalMs?: number;
  /**
   * Signs this writer's checkpoints. Default: a fresh key per open, whose
   * private half never leaves memory, so nobody with database access can
   * re-sign an existing chain. Pass a key held elsewhere to sign with it.
   */
  readonly checkpointKey?: KeyPair;
  /**
   * How often new rows are placed in the ledger's Merkle tree and a tree head
   * is signed (when the tree grew), in ms; one is also signed on close. Default
   * 10,000. Rows newer than the newest tree head are protected by their
   * chains and checkpoints alone.
   */
  readonly treeHeadIntervalMs?: number;
  /**
   * Who keeps a copy of every tree head this writer signs, outside the store:
   * fileWitness(path), webhookWitness(url) or your own function. With a copy
   * outside, `verifyLedger({ against })` catches rows deleted together with
   * the tree heads inside the database. Default none.
   */
  readonly treeHeadWitnesses?: readonly TreeHeadWitness[];
  /** Told when a witness fails to take a tree head (the next head covers it). Default: a process warning. */
  readonly onWitnessError?: (error: unknown, head: SignedTreeHead) => void;
  /** Most rows one group commit writes. Default 1000. */
  readonly maxBatchRows?: number;
  /** Rewrites inputs and outputs before they are stored (return undefined to keep only the hash). */
  readonly redact?: PayloadRedactor;
}

export function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new TypeError(`${name} must be a positive whole number, got ${String(value)}.`);
  return value;
}
