import type { Clock, KeyPair, RandomSource } from "@writ/core";
import type { PayloadRedactor } from "./ledger/ledger-writer.js";

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
