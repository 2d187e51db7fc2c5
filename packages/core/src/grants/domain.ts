import type { Constraint, Scalar } from "./grant.js";
import { admitsPrefix, extendsPrefix } from "./prefix.js";
import { isExactNumber, isScalar } from "./validate-grants.js";

interface Bound {
  readonly value: number;
  readonly inclusive: boolean;
}

/**
 * The set of values one constraint admits, in a normal form that makes the
 * narrowing (⊆) and intersection (∩) rules of DESIGN §3 direct to compute.
 */
export interface Domain {
  /** Value type every operator but inSet implies; undefined when only inSet constrains. */
  readonly type?: "string" | "number" | "boolean";
  /** eq / in: the finite set of values allowed. */
  readonly oneOf?: readonly Scalar[];
  /** neq / nin: values refused. */
  readonly noneOf: readonly Scalar[];
  readonly lower?: Bound;
  readonly upper?: Bound;
  readonly prefix?: string;
  readonly set?: string;
}

export function domainOf(constraint: Constraint): Domain {
  let oneOf: Scalar[] | undefined;
  if (constraint.eq !== undefined) oneOf = [constraint.eq];
  if (constraint.in !== undefined) oneOf = intersectValues(oneOf, constraint.in);
  const noneOf = [
    ...(constraint.neq === undefined ? [] : [constraint.neq]),
    ...(constraint.nin ?? []),
  ];
  const lower = tighterLower(
    constraint.gt === undefined ? undefined : { value: constraint.gt, inclusive: false },
    constraint.gte === undefined ? undefined : { value: constraint.gte, inclusive: true },
  );
  const upper = tighterUpper(
    constraint.lt === undefined ? undefined : { value: constraint.lt, inclusive: false },
    constraint.lte === undefined ? undefined : { value: constraint.lte, inclusive: true },
  );
  const type = oneOf?.length
    ? (typeof oneOf[0] as Domain["type"])
    : constraint.neq !== undefined
      ? (typeof constraint.neq as Domain["type"])
      : constraint.nin?.length
        ? (typeof constraint.nin[0] as Domain["type"])
        : lower || upper
          ? "number"
          : constraint.prefix !== undefined
            ? "string"
            : undefined;
  return compact({
    type,
    oneOf,
    noneOf,
    lower,
    upper,
    prefix: constraint.prefix,
    set: constraint.inSet,
  });
}

/** A domain whose absent parts may also be present as undefined. */
export type AnyDomain = { readonly [K in keyof Domain]: Domain[K] | undefined } & Pick<
  Domain,
  "noneOf"
>;

/**
 * A domain with every part present (undefined where absent): domains of one
 * shape, so the hot path reads them all the same way, whatever their constraint.
 */
export function uniformDomain(domain: Domain): AnyDomain {
  return {
    type: domain.type,
    oneOf: domain.oneOf,
    noneOf: domain.noneOf,
    lower: domain.lower,
    upper: domain.upper,
    prefix: domain.prefix,
    set: domain.set,
  };
}

/**
 * Whether a value passes every static part of the domain (all but `set`,
 * which only a resolver can answer). A missing value or a wrong type fails.
 */
export function admitsStatically(domain: AnyDomain, value: unknown): boolean {
  if (!isScalar(value)) return false;
  if (domain.type !== undefined && typeof value !== domain.type) return false;
  if (domain.oneOf !== undefined && !domain.oneOf.includes(value)) return false;
  if (domain.noneOf.length > 0 && domain.noneOf.includes(value)) return false;
  if (domain.lower !== undefined || domain.upper !== undefined) {
    if (!isExactNumber(value)) return false;
    if (
      domain.lower &&
      !(domain.lower.inclusive ? value >= domain.lower.value : value > domain.lower.value)
    ) {
      return false;
    }
    if (
      domain.upper &&
      !(domain.upper.inclusive ? value <= domain.upper.value : value < domain.upper.value)
    ) {
      return false;
    }
  }
  return (
    domain.prefix === undefined || (typeof value === "string" && admitsPrefix(domain.prefix, value))
  );
}

/**
 * Why `child` admits a value `parent` does not, or undefined when child ⊆ parent.
 * Conservative: a named set is only inside the same named set, never inside a literal list.
 */
export function whyNotContained(parent: Domain, child: Domain): string | undefined {
  const finite = finiteValues(child);
  if (finite?.length === 0) return undefined;
  if (parent.set !== undefined && child.set !== parent.set) {
    return `the parent requires membership in @${parent.set}; the child must keep "inSet": "${parent.set}"`;
  }
  if (finite !== undefined) {
    const outside = finite.find((value) => !admitsStatically(parent, value));
    return outside === undefined
      ? undefined
      : `the child allows ${JSON.stringify(outside)}, which the parent does not`;
  }
  if (parent.type !== undefined && child.type !== parent.type) {
    return `the parent allows only ${parent.type} values; the child allows ${child.type ?? "any"} values`;
  }
  if (parent.oneOf !== undefined) {
    return `the parent allows only ${JSON.stringify(parent.oneOf)}; the child must list allowed values too`;
  }
  const kept = parent.noneOf.find((value) => admitsStatically(child, value));
  if (kept !== undefined)
    return `the parent refuses ${JSON.stringify(kept)}; the child must refuse it too`;
  if (parent.lower && !(child.lower && boundWithin(child.lower, parent.lower, 1))) {
    return `the child's lower bound is below the parent's (${describeLower(parent.lower)})`;
  }
  if (parent.upper && !(child.upper && boundWithin(child.upper, parent.upper, -1))) {
    return `the child's upper bound is above the parent's (${describeUpper(parent.upper)})`;
  }
  if (
    parent.prefix !== undefined &&
    (child.prefix === undefined || !extendsPrefix(parent.prefix, child.prefix))
  ) {
    return `the parent requires the prefix ${JSON.stringify(parent.prefix)}; the child's prefix must extend it (and not its host)`;
  }
  return undefined;
}

/**
 * The domain of values both admit: null when it is provably empty, undefined
 * when it cannot be written as one constraint (two different named sets).
 */
export function intersectDomains(a: Domain, b: Domain): Domain | null | undefined {
  if (a.type !== undefined && b.type !== undefined && a.type !== b.type) return null;
  if (a.set !== undefined && b.set !== undefined && a.set !== b.set) return undefined;
  let prefix = a.prefix ?? b.prefix;
  if (a.prefix !== undefined && b.prefix !== undefined) {
    if (extendsPrefix(b.prefix, a.prefix)) prefix = a.prefix;
    else if (extendsPrefix(a.prefix, b.prefix)) prefix = b.prefix;
    else return null;
  }
  const merged = compact({
    type: a.type ?? b.type,
    oneOf: a.oneOf === undefined ? b.oneOf : intersectValues(a.oneOf, b.oneOf ?? a.oneOf),
    noneOf: [...new Set([...a.noneOf, ...b.noneOf])],
    lower: tighterLower(a.lower, b.lower),
    upper: tighterUpper(a.upper, b.upper),
    prefix,
    set: a.set ?? b.set,
  });
  const finite = finiteValues(merged);
  if (finite !== undefined) {
    return finite.length === 0
      ? null
      : compact({ type: merged.type, oneOf: finite, noneOf: [], set: merged.set });
  }
  if (merged.lower && merged.upper) {
    const { lower, upper } = merged;
    if (lower.value > upper.value) return null;
    if (lower.value === upper.value && !(lower.inclusive && upper.inclusive)) return null;
  }
  if (merged.prefix !== undefined && merged.type !== undefined && merged.type !== "string")
    return null;
  return merged;
}

/** The constraint that denotes a domain. */
export function constraintOf(domain: Domain): Constraint {
  const constraint: Record<string, unknown> = {};
  if (domain.oneOf?.length === 1) constraint.eq = domain.oneOf[0];
  else if (domain.oneOf) constraint.in = domain.oneOf;
  if (domain.noneOf.length === 1) constraint.neq = domain.noneOf[0];
  else if (domain.noneOf.length > 1) constraint.nin = domain.noneOf;
  if (domain.lower) constraint[domain.lower.inclusive ? "gte" : "gt"] = domain.lower.value;
  if (domain.upper) constraint[domain.upper.inclusive ? "lte" : "lt"] = domain.upper.value;
  if (domain.prefix !== undefined) constraint.prefix = domain.prefix;
  if (domain.set !== undefined) constraint.inSet = domain.set;
  return constraint as Constraint;
}

/** The explicit values a domain allows (eq / in, filtered by its other parts), if it lists them. */
function finiteValues(domain: Domain): Scalar[] | undefined {
  return domain.oneOf?.filter((value) => admitsStatically(domain, value));
}

function intersectValues(a: readonly Scalar[] | undefined, b: readonly Scalar[]): Scalar[] {
  return a === undefined ? [...b] : a.filter((value) => b.includes(value));
}

/** Whether bound `inner` is at least as tight as `outer`; direction 1 for lower bounds, -1 for upper. */
function boundWithin(inner: Bound, outer: Bound, direction: 1 | -1): boolean {
  const delta = (inner.value - outer.value) * direction;
  return delta > 0 || (delta === 0 && (outer.inclusive || !inner.inclusive));
}

function tighterLower(a: Bound | undefined, b: Bound | undefined): Bound | undefined {
  if (!a || !b) return a ?? b;
  return boundWithin(a, b, 1) ? a : b;
}

function tighterUpper(a: Bound | undefined, b: Bound | undefined): Bound | undefined {
  if (!a || !b) return a ?? b;
  return boundWithin(a, b, -1) ? a : b;
}

function describeLower(bound: Bound): string {
  return `${bound.inclusive ? ">=" : ">"} ${bound.value}`;
}

function describeUpper(bound: Bound): string {
  return `${bound.inclusive ? "<=" : "<"} ${bound.value}`;
}

/** Drops undefined members so domains compare and spread cleanly under exactOptionalPropertyTypes. */
function compact(
  domain: { [K in keyof Domain]: Domain[K] | undefined } & Pick<Domain, "noneOf">,
): Domain {
  const out: { -readonly [K in keyof Domain]?: Domain[K] } = { noneOf: domain.noneOf };
  if (domain.type !== undefined) out.type = domain.type;
  if (domain.oneOf !== undefined) out.oneOf = domain.oneOf;
  if (domain.lower !== undefined) out.lower = domain.lower;
  if (domain.upper !== undefined) out.upper = domain.upper;
  if (domain.prefix !== undefined) out.prefix = domain.prefix;
  if (domain.set !== undefined) out.set = domain.set;
  return out as Domain;
}
