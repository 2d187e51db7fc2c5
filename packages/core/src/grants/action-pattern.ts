import { GRANT_LIMITS } from "./grant.js";

const ACTION = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;
const PATTERN = /^(?:\*|[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*(?:\.\*)?)$/;

/** A concrete action a call performs, e.g. `refunds.approve`. */
export function isAction(value: unknown): value is string {
  return (
    typeof value === "string" && value.length <= GRANT_LIMITS.actionLength && ACTION.test(value)
  );
}

/** An action pattern a grant holds: a concrete action, `prefix.*`, or `*`. */
export function isActionPattern(value: unknown): value is string {
  return (
    typeof value === "string" && value.length <= GRANT_LIMITS.actionLength && PATTERN.test(value)
  );
}

/** The part a wildcard pattern requires before its `*` (with the dot), or undefined for an exact pattern. */
function wildcardStem(pattern: string): string | undefined {
  if (pattern === "*") return "";
  return pattern.endsWith(".*") ? pattern.slice(0, -1) : undefined;
}

/**
 * Whether a pattern matches a concrete action. Matching is per whole segment:
 * `email.*` matches `email.send` and `email.send.bulk`, never `emails.send` or `email`.
 */
export function actionMatches(pattern: string, action: string): boolean {
  const stem = wildcardStem(pattern);
  return stem === undefined
    ? pattern === action
    : action.length > stem.length && action.startsWith(stem);
}

/** Whether every action `inner` matches is also matched by `outer`. */
export function actionContains(outer: string, inner: string): boolean {
  const outerStem = wildcardStem(outer);
  if (outerStem === undefined) return outer === inner;
  const innerStem = wildcardStem(inner);
  return innerStem === undefined ? actionMatches(outer, inner) : innerStem.startsWith(outerStem);
}

/** The pattern matching exactly the actions both match, or undefined when they share none. */
export function intersectActions(a: string, b: string): string | undefined {
  if (actionContains(a, b)) return b;
  if (actionContains(b, a)) return a;
  // Patterns are prefixes of segment sequences, so two patterns either nest or are disjoint.
  return undefined;
}
