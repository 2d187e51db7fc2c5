/** Bounds enforced before any cryptography (DESIGN §2, step 1). */
export const WRIT_LIMITS = {
  /** Hops in a writ, root included. */
  hops: 8,
  /** Serialized writ size in bytes. */
  bytes: 16 * 1024,
  /** Serialized invocation proof size in bytes. */
  proofBytes: 4 * 1024,
} as const;

export const WRIT_TYPE = "writ+jwt";
export const PROOF_TYPE = "writ-call+jwt";
export const ALGORITHM = "EdDSA";
export const HOP_SEPARATOR = "~";
