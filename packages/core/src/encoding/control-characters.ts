/**
 * Whether `text` holds an ASCII control character (U+0000–U+001F, U+007F):
 * parsers drop some (the URL parser: tab, LF, CR), C APIs stop at NUL, and
 * logs and terminals act on the rest, so identifiers and constrained values
 * never need one.
 */
export function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
