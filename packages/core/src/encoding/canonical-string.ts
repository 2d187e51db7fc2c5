/** A character JSON escapes, or half of a surrogate pair: such strings take the careful path. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding the control characters JSON escapes is the point
const NEEDS_CARE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** The canonical form of one string (JSON.stringify's, refusing lone surrogates). */
export function canonicalString(value: string): string {
  // Most strings (names, ids, plain text) are written as they are, between quotes.
  if (!NEEDS_CARE.test(value)) return `"${value}"`;
  if (!value.isWellFormed()) {
    throw new TypeError(
      "canonicalJson: strings must be well-formed Unicode (lone surrogate found)",
    );
  }
  return JSON.stringify(value);
}
