import { type AnyDomain, admitsStatically, domainOf, uniformDomain } from "./domain.js";
import { type Constraint, GRANT_LIMITS, type Scalar } from "./grant.js";
import { prefixCheck } from "./prefix.js";
import { isExactNumber, isScalar } from "./validate-grants.js";

/**
 * The shapes a constraint commonly takes, each judged by comparisons written
 * out for it; `general` is every other shape, judged by `admitsStatically`.
 */
export type ConstraintKind = "range" | "oneOf" | "noneOf" | "prefix" | "set" | "general";

/**
 * One constraint prepared for the hot path: `admits` answers exactly what
 * `admitsStatically` answers for the constraint's domain (a missing value, a
 * wrong type, a non-finite or inexact number or an over-long string fails),
 * without walking the general case on every call.
 */
export interface CompiledConstraint {
  readonly kind: ConstraintKind;
  /** The named set a value must also belong to, which only a resolver can answer. */
  readonly set: string | undefined;
  /** Whether the value passes every static part of the constraint (all but `set`). */
  readonly admits: (value: unknown) => boolean;
}

export function compileConstraint(constraint: Constraint): CompiledConstraint {
  const domain = uniformDomain(domainOf(constraint));
  const { kind, admits } = specialised(domain) ?? {
    kind: "general",
    admits: (value: unknown) => admitsStatically(domain, value),
  };
  return { kind, set: domain.set, admits };
}

type Specialised = Pick<CompiledConstraint, "kind" | "admits">;

/** The written-out check for the domain's shape, or undefined when it has no common shape. */
function specialised(domain: AnyDomain): Specialised | undefined {
  const { type, oneOf, noneOf, lower, upper, prefix, set } = domain;
  const ranged = lower !== undefined || upper !== undefined;
  const listed = oneOf !== undefined;
  const excluded = noneOf.length > 0;
  const prefixed = prefix !== undefined;
  const parts = Number(ranged) + Number(listed) + Number(excluded) + Number(prefixed);
  if (parts === 0) return set === undefined ? undefined : { kind: "set", admits: isScalar };
  if (parts > 1 || set !== undefined) return undefined;
  if (ranged) return { kind: "range", admits: rangeCheck(lower, upper) };
  // Every listed value is a scalar of the list's type, so `includes` (SameValueZero, like
  // the general case: -0 is 0) finds only values of that type, never NaN nor a long string.
  if (listed) return { kind: "oneOf", admits: (value) => oneOf.includes(value as Scalar) };
  if (excluded && type !== undefined)
    return {
      kind: "noneOf",
      admits: (value) =>
        typeof value === type && isScalar(value) && !noneOf.includes(value as Scalar),
    };
  if (!prefixed) return undefined;
  const admitsPrefix = prefixCheck(prefix);
  return {
    kind: "prefix",
    admits: (value) =>
      typeof value === "string" && value.length <= GRANT_LIMITS.stringLength && admitsPrefix(value),
  };
}

/** A missing bound is an infinite one: only finite, exact numbers pass anyway. */
function rangeCheck(
  lower: AnyDomain["lower"],
  upper: AnyDomain["upper"],
): (value: unknown) => boolean {
  const min = lower?.value ?? Number.NEGATIVE_INFINITY;
  const max = upper?.value ?? Number.POSITIVE_INFINITY;
  const minIncluded = lower?.inclusive ?? true;
  const maxIncluded = upper?.inclusive ?? true;
  return (value) =>
    isExactNumber(value) &&
    (value > min || (minIncluded && value === min)) &&
    (value < max || (maxIncluded && value === max));
}
