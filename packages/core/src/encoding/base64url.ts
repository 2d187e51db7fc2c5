import { Buffer } from "node:buffer";

const BASE64URL = /^[A-Za-z0-9_-]*$/;

export function encodeBase64Url(input: Uint8Array | string): string {
  return Buffer.from(input).toString("base64url");
}

/** Decodes strict, unpadded base64url; returns undefined for anything else. */
export function decodeBase64Url(input: string): Buffer | undefined {
  if (!BASE64URL.test(input) || input.length % 4 === 1 || !hasCanonicalTail(input))
    return undefined;
  return Buffer.from(input, "base64url");
}

/**
 * Node ignores the bits the last character carries past the final byte; they
 * must be zero, so one token has exactly one spelling. Two characters left
 * over carry one byte and 4 spare bits, three carry two bytes and 2 spare.
 */
function hasCanonicalTail(input: string): boolean {
  const spareBits = SPARE_BITS[input.length % 4] as number;
  if (spareBits === 0) return true;
  const last = sextet(input.charCodeAt(input.length - 1));
  return (last & ((1 << spareBits) - 1)) === 0;
}

/** Spare bits in the last character, by the length modulo 4 (1 is refused before). */
const SPARE_BITS = [0, 0, 4, 2];

/** The 6-bit value of a base64url character (the alphabet is checked before). */
function sextet(code: number): number {
  if (code >= 0x61) return code - 0x61 + 26; // a-z
  if (code >= 0x41) return code === 0x5f ? 63 : code - 0x41; // A-Z, _
  if (code >= 0x30) return code - 0x30 + 52; // 0-9
  return 62; // -
}
