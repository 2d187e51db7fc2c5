import { actionMatches, isActionPattern } from "@writ/core";

/**
 * Which provider scopes a Writ action needs: `{ "email.send": ["gmail.send"],
 * "email.*": ["gmail.readonly"] }`. Keys are action patterns (a final `*`
 * matches any suffix, per whole segment); an empty list says the action
 * needs no token from this provider.
 */
export type ScopeTable = Readonly<Record<string, readonly string[]>>;

/** RFC 6749 §3.3 scope-token: printable ASCII but space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * A provider's scope table, checked once. An action takes the scopes of the
 * most specific pattern that matches it (an exact action before any
 * wildcard, a longer wildcard before a shorter one), never the union of
 * every match, so `email.send` can need less than `email.*`.
 */
export class ScopeTranslation {
  readonly #entries: readonly { readonly pattern: string; readonly scopes: readonly string[] }[];
  readonly #all: readonly string[];

  constructor(table: ScopeTable, provider: string) {
    if (table === null || typeof table !== "object" || Array.isArray(table)) {
      throw new TypeError(
        `Provider "${provider}" needs scopes: a table from Writ actions to provider scopes, e.g. { "email.send": ["gmail.send"] }.`,
      );
    }
    this.#entries = Object.entries(table).map(([pattern, scopes]) => {
      if (!isActionPattern(pattern)) {
        throw new TypeError(
          `Provider "${provider}": ${JSON.stringify(pattern)} is not a Writ action pattern (dotted names, a final "*" allowed).`,
        );
      }
      if (
        !Array.isArray(scopes) ||
        !scopes.every((scope) => typeof scope === "string" && SCOPE_TOKEN.test(scope))
      ) {
        throw new TypeError(
          `Provider "${provider}": the scopes for "${pattern}" must be a list of OAuth scope tokens (no spaces or quotes).`,
        );
      }
      return { pattern, scopes: normalizeScopes(scopes) };
    });
    // Most specific first: exact patterns, then wildcards by decreasing stem length.
    this.#entries = [...this.#entries].sort(
      (a, b) => specificity(b.pattern) - specificity(a.pattern),
    );
    this.#all = normalizeScopes(this.#entries.flatMap((entry) => entry.scopes));
  }

  /** The scopes `action` needs, sorted; undefined when no pattern matches it. */
  scopesFor(action: string): readonly string[] | undefined {
    return this.#entries.find((entry) => actionMatches(entry.pattern, action))?.scopes;
  }

  /** Every scope the table names: what a connection asks for when no actions are given. */
  get allScopes(): readonly string[] {
    return this.#all;
  }
}

/** Sorted and without duplicates: the scope set's one spelling, used as its key. */
export function normalizeScopes(scopes: Iterable<string>): string[] {
  return [...new Set(scopes)].sort();
}

function specificity(pattern: string): number {
  if (pattern === "*") return 0;
  return pattern.endsWith(".*") ? pattern.length - 1 : Number.MAX_SAFE_INTEGER;
}
