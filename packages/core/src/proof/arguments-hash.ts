import { createHash, type Hash, hash } from "node:crypto";
import { writeCanonicalJson } from "../encoding/canonical-json.js";

/** `ahs`: base64url SHA-256 of the RFC 8785 canonical JSON of the parsed arguments. */
export function argumentsHash(args: unknown): string {
  return argumentsDigest(args).hash;
}

/**
 * The arguments' hash (`ahs`) and the size in bytes of their canonical JSON,
 * from one canonicalisation streamed into the hash: the guard needs both per
 * call (the proof binds the hash; the ledger records the size), and never the
 * text itself. Arguments shorter than one chunk of canonical text (most
 * calls) are hashed in one shot, without a streaming hash to set up.
 */
export function argumentsDigest(args: unknown): { readonly hash: string; readonly bytes: number } {
  let streamed: Hash | undefined;
  let bytes = 0;
  const rest = writeCanonicalJson(args ?? {}, (chunk) => {
    streamed ??= createHash("sha256");
    streamed.update(chunk, "utf8");
    bytes += Buffer.byteLength(chunk, "utf8");
  });
  bytes += Buffer.byteLength(rest, "utf8");
  if (streamed === undefined) return { hash: hash("sha256", rest, "base64url"), bytes };
  return { hash: streamed.update(rest, "utf8").digest("base64url"), bytes };
}
