import { decodeBase64Url, encodeBase64Url } from "../encoding/base64url.js";
import { parseStrictJson } from "../encoding/strict-json.js";
import type { KeyPair } from "../keys/key-pair.js";

/** A compact JWS split and decoded, nothing verified yet. */
export interface DecodedJws {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  /** `base64url(header).base64url(payload)`, the bytes the signature covers. */
  readonly signingInput: string;
  readonly signature: Buffer;
}

/** Signs header and payload as a compact JWS with an Ed25519 key. */
export function signCompactJws(header: object, payload: object, key: KeyPair): string {
  const signingInput = `${encodeBase64Url(JSON.stringify(header))}.${encodeBase64Url(JSON.stringify(payload))}`;
  return `${signingInput}.${encodeBase64Url(key.sign(Buffer.from(signingInput)))}`;
}

/**
 * Splits and decodes a compact JWS: three strict base64url parts, header and
 * payload JSON objects without duplicate member names. Returns undefined for
 * anything else; callers turn that into their own error code.
 */
export function decodeCompactJws(compact: string): DecodedJws | undefined {
  // Bounded split: a hop of nothing but dots costs no more than a real one.
  const parts = compact.split(".", 4);
  if (parts.length !== 3) return undefined;
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeJsonObject(headerPart);
  const payload = decodeJsonObject(payloadPart);
  // The signature's length is the verifier's concern: an `alg: none` token
  // should be refused for its header, not for a missing signature.
  const signature = decodeBase64Url(signaturePart);
  if (!header || !payload || !signature) return undefined;
  return { header, payload, signingInput: `${headerPart}.${payloadPart}`, signature };
}

function decodeJsonObject(part: string): Record<string, unknown> | undefined {
  const bytes = decodeBase64Url(part);
  if (!bytes) return undefined;
  const text = bytes.toString("utf8");
  // Reject invalid UTF-8 instead of letting U+FFFD stand in for it.
  if (!Buffer.from(text, "utf8").equals(bytes)) return undefined;
  const value = parseStrictJson(text);
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
