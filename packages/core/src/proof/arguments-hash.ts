import { canonicalJson } from "../encoding/canonical-json.js";
import { sha256Base64Url } from "../encoding/sha256.js";

/** `ahs`: base64url SHA-256 of the RFC 8785 canonical JSON of the parsed arguments. */
export function argumentsHash(args: unknown): string {
  return sha256Base64Url(canonicalJson(args ?? {}));
}

/**
 * The arguments' hash (`ahs`) and the size in bytes of their canonical JSON,
 * from one canonicalisation: the guard needs both per call (the proof binds
 * the hash; the ledger records the size).
 */
export function argumentsDigest(args: unknown): { readonly hash: string; readonly bytes: number } {
  const canonical = canonicalJson(args ?? {});
  return { hash: sha256Base64Url(canonical), bytes: Buffer.byteLength(canonical) };
}
