import { posix } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CompiledGrants } from "../../packages/core/src/grants/compiled-grants.js";

/**
 * `prefix` against the consumers that resolve its values (DESIGN §9): the
 * WHATWG URL parser (`new URL()`), POSIX path resolution, and servers that
 * percent-decode a path, or read `\` as `/`, before resolving it again. No
 * value the guard admits may resolve outside its prefix.
 */

const URL_PREFIXES = [
  "https://api.example.com/v1/",
  "https://api.example.com/v1",
  "https://api.example.com",
  "http://[::1]:8080/data/",
  "https://user@hooks.example.com/in/",
  "s3://bucket/reports/",
  "file:///srv/public/",
] as const;
const PATH_PREFIXES = ["/srv/public/", "/srv/public", "/srv/pub.", "data/"] as const;

/** What an attacker splices after a prefix. */
const PIECES = [
  "..",
  ".",
  "/",
  "\\",
  "%2e",
  "%2E",
  "%2f",
  "%2F",
  "%5c",
  "%5C",
  "%25",
  "%252e",
  "%00",
  "%09",
  "?",
  "#",
  ";",
  "@",
  ":",
  "\t",
  "\n",
  "\r",
  "\u0000",
  "\u001b",
  "\u007f",
  " ",
  "a",
  "evil.test",
  "8443",
  "..;",
  ".%2e",
  "%2e.",
  "\u3002",
] as const;
const hostile = fc
  .array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 3 })), { maxLength: 14 })
  .map((pieces) => pieces.join(""));

function admits(prefix: string, value: string): boolean {
  return new CompiledGrants([{ action: "read", when: { target: { prefix } } }]).evaluate("read", {
    target: value,
  }).permitted;
}

/** What a server that percent-decodes until nothing changes (five times at most) reads. */
function decoded(text: string): string {
  let current = text;
  for (let round = 0; round < 5; round++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      next = current.replace(/%([0-7][0-9a-f])/gi, (_, hex: string) =>
        String.fromCharCode(Number.parseInt(hex, 16)),
      );
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

/** `resolved` is the prefix's own place or below it ("/v1/" holds "/v1/x" and "/v1"; "/v1" holds "/v1x"). */
function under(resolved: string, prefix: string): boolean {
  if (!prefix.endsWith("/")) return resolved.startsWith(prefix);
  return resolved === prefix.slice(0, -1) || resolved.startsWith(prefix);
}

/** The path a server reaches: decoded, `\` read as `/`, tab, LF and CR dropped, dot segments resolved. */
function reached(path: string): string {
  const resolved = posix.resolve(
    "/",
    decoded(path)
      .replaceAll("\\", "/")
      .replace(/[\t\n\r]/g, ""),
  );
  return path.endsWith("/") && resolved !== "/" ? `${resolved}/` : resolved;
}

function urlInside(prefix: string, value: string): boolean {
  const base = new URL(prefix);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return true; // no URL parser reaches anything with it
  }
  const sameAuthority =
    url.protocol === base.protocol &&
    url.host === base.host &&
    url.username === base.username &&
    url.password === base.password;
  return (
    sameAuthority &&
    under(url.pathname, base.pathname) &&
    under(reached(url.pathname), reached(base.pathname))
  );
}

function pathInside(prefix: string, value: string): boolean {
  const at = (path: string) => posix.resolve("/work", path);
  const base = prefix.endsWith("/") ? `${at(prefix)}/` : at(prefix);
  const plain = value.endsWith("/") ? `${at(value)}/` : at(value);
  return under(plain, base) && under(reached(`/work/${value}`), reached(`/work/${prefix}`));
}

describe("prefix properties", () => {
  it("no URL the guard admits resolves outside its prefix, for new URL() or a decoding server", () => {
    fc.assert(
      fc.property(fc.constantFrom(...URL_PREFIXES), hostile, (prefix, rest) => {
        const value = prefix + rest;
        if (admits(prefix, value))
          expect(urlInside(prefix, value), JSON.stringify(value)).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it("no path the guard admits resolves outside its prefix, for path.posix.resolve or a decoding server", () => {
    fc.assert(
      fc.property(fc.constantFrom(...PATH_PREFIXES), hostile, (prefix, rest) => {
        const value = prefix + rest;
        if (admits(prefix, value))
          expect(pathInside(prefix, value), JSON.stringify(value)).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it("plain values below a prefix stay admitted: file names, dots inside names, queries", () => {
    const segment = fc.constantFrom("a", "report.pdf", "..hidden", "a..b", ".", "x-y_z", "v2");
    const plain = fc
      .array(segment, { minLength: 1, maxLength: 5 })
      .map((segments) => segments.join("/"));
    fc.assert(
      fc.property(
        fc.constantFrom("/srv/public/", "https://api.example.com/v1/"),
        plain,
        fc.constantFrom("", "?page=2", "#top", "?q=a%20b"),
        (prefix, path, tail) => {
          expect(admits(prefix, `${prefix}${path}${tail}`)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("the hostile strings do reach outside often enough to mean something", () => {
    const escapes = fc
      .sample(fc.tuple(fc.constantFrom(...URL_PREFIXES), hostile), 3000)
      .filter(([prefix, rest]) => !urlInside(prefix, prefix + rest));
    expect(escapes.length).toBeGreaterThan(100);
  });
});
