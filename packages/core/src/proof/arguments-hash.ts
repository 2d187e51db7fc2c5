import { createHash } from "node:crypto";
import { writeCanonicalJson } from "../encoding/canonical-json.js";

/** `ahs`: base64url SHA-256 of the RFC 8785 canonical JSON of the parsed arguments. */
export function argumentsHash(args: unknown): string {
  return argumentsDigest(args).hash;
}

/**
 * The arguments' hash (`ahs`) and the size in bytes of their canonical JSON,
 * from one canonicalisation streamed into the hash: the guard needs both per
 * call (the proof binds the hash; the ledger records the size), and never the
 * text itself.
 */
export function argumentsDigest(args: unknown): { readonly hash: string; readonly bytes: number } {
  const hash = createHash("sha256");
  let bytes = 0;
  writeCanonicalJson(args ?? {}, (chunk) => {
    hash.update(chunk, "utf8");
    bytes += Buffer.byteLength(chunk, "utf8");
  });
  return { hash: hash.digest("base64url"), bytes };
}
