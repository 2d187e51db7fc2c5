import { Buffer } from "node:buffer";

const BASE64URL = /^[A-Za-z0-9_-]*$/;

export function encodeBase64Url(input: Uint8Array | string): string {
  return Buffer.from(input).toString("base64url");
}

/** Decodes strict, unpadded base64url; returns undefined for anything else. */
export function decodeBase64Url(input: string): Buffer | undefined {
  if (!BASE64URL.test(input) || input.length % 4 === 1) return undefined;
  const bytes = Buffer.from(input, "base64url");
  // Node ignores non-canonical trailing bits; re-encoding catches them so one
  // token has exactly one spelling.
  return bytes.toString("base64url") === input ? bytes : undefined;
}
