/**
 * `prefix` is how grants confine paths and URLs ("/srv/public/",
 * "https://api.example.com/v1/"). Values are compared as strings and never
 * normalised: a value is admitted only when no consumer could resolve it to
 * anything outside the prefix, so every value whose resolution could move is
 * refused instead (DESIGN §9, docs/grants.md):
 *
 * - ASCII control characters: the WHATWG URL parser drops tab, LF and CR
 *   (`.\t.` becomes `..`), and C APIs stop at NUL;
 * - a `..` segment, after `/` or `\` (both separate segments in special URLs
 *   and on Windows) and ended by `/`, `\`, `?`, `#`, `;` (path parameters on
 *   Java servers) or the end (trailing spaces too: the URL parser drops
 *   them), also percent-encoded once or several times (`..%2f`, `%2e%2e`,
 *   `%252e%252e`, `..%5c`);
 * - after a URL prefix that ends in its host ("https://api.example.com"),
 *   anything that continues the host (`.evil.test`, `@evil.test`, `:8443`)
 *   rather than the path, query or fragment.
 */

import { hasControlCharacter } from "../encoding/control-characters.js";

/** One scan for everything worth a closer look: a control character, a `..` segment, an escaped ASCII byte. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const SUSPICIOUS = /[\u0000-\u001f\u007f]|(?:^|[/\\])\.\.(?:[/\\?#;]| *$)|%[0-7][0-9a-f]/i;
const DOT_DOT_SEGMENT = /(?:^|[/\\])\.\.(?:[/\\?#;]| *$)/;
const ESCAPED_ASCII = /%([0-7][0-9a-f])/gi;
/** A URL that ends in its host: what follows it could still be part of the host. */
const OPEN_AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/[^/\\?#]+$/i;
const AUTHORITY_ENDS = "/\\?#";
/** Consumers that decode more often than this are not worth serving: deeper encodings are refused. */
const MAX_DECODINGS = 3;

/** Whether `value` satisfies `prefix` (see the module comment). Cheap when nothing is suspicious. */
export function admitsPrefix(prefix: string, value: string): boolean {
  return extendsPrefix(prefix, value) && staysPut(value);
}

/**
 * admitsPrefix for one prefix, with what depends on the prefix alone (does
 * it end in a URL's host?) worked out once instead of on every value.
 */
export function prefixCheck(prefix: string): (value: string) => boolean {
  const endsInHost = endsInOpenHost(prefix);
  return (value) =>
    value.startsWith(prefix) && (!endsInHost || endsHost(value[prefix.length])) && staysPut(value);
}

/**
 * Whether `candidate` starts with `prefix` without continuing the host a URL
 * prefix ends in. Also the narrowing rule: a child prefix must extend its
 * parent's this way, or it would admit values the parent refuses.
 */
export function extendsPrefix(prefix: string, candidate: string): boolean {
  return (
    candidate.startsWith(prefix) && (!endsInOpenHost(prefix) || endsHost(candidate[prefix.length]))
  );
}

function endsInOpenHost(prefix: string): boolean {
  return !prefix.endsWith("/") && OPEN_AUTHORITY.test(prefix);
}

/** Whether what follows a host (undefined at the end of the value) closes it. */
function endsHost(next: string | undefined): boolean {
  return next === undefined || AUTHORITY_ENDS.includes(next);
}

/** Whether no consumer could resolve the value anywhere else. */
function staysPut(value: string): boolean {
  return !SUSPICIOUS.test(value) || resolvesToItself(value);
}

/** The slow path: no control character and no `..` segment in the value or in what decoding it yields. */
function resolvesToItself(value: string): boolean {
  let text = value;
  for (let decodings = 0; ; decodings++) {
    if (hasControlCharacter(text) || DOT_DOT_SEGMENT.test(text)) return false;
    const decoded = text.replace(ESCAPED_ASCII, (_, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
    if (decoded === text) return true;
    if (decodings === MAX_DECODINGS) return false;
    text = decoded;
  }
}
