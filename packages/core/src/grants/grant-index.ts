/**
 * Which grants of a list could match an action, found without trying every
 * pattern: exact patterns by a map lookup, wildcard patterns (`prefix.*`, `*`)
 * by their stems, which a list rarely holds many of. Positions come back in
 * list order, since a verdict names the first grant that permits or fails.
 */
export class GrantIndex {
  readonly #exact = new Map<string, number[]>();
  readonly #wildcards: { readonly stem: string; readonly position: number }[] = [];

  constructor(patterns: readonly string[]) {
    patterns.forEach((pattern, position) => {
      if (pattern === "*") this.#wildcards.push({ stem: "", position });
      else if (pattern.endsWith(".*"))
        this.#wildcards.push({ stem: pattern.slice(0, -1), position });
      else {
        const positions = this.#exact.get(pattern);
        if (positions) positions.push(position);
        else this.#exact.set(pattern, [position]);
      }
    });
  }

  /** Positions of the patterns matching `action` (actionMatches), ascending. */
  matching(action: string): readonly number[] {
    const exact = this.#exact.get(action) ?? NONE;
    if (this.#wildcards.length === 0) return exact;
    const wild = this.#wildcards
      .filter(({ stem }) => action.length > stem.length && action.startsWith(stem))
      .map(({ position }) => position);
    if (wild.length === 0) return exact;
    return exact.length === 0 ? wild : [...exact, ...wild].sort((a, b) => a - b);
  }
}

const NONE: readonly number[] = [];
