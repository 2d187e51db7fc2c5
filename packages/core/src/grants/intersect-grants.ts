import { WritError } from "../errors.js";
import { intersectActions } from "./action-pattern.js";
import { constraintOf, type Domain, domainOf, intersectDomains } from "./domain.js";
import { type Constraint, GRANT_LIMITS, type Grant } from "./grant.js";
import { whyNotNarrower } from "./narrowing.js";

/**
 * Authority = user permissions ∩ agent policy, grant by grant, in the grant
 * language itself: the more specific action, per-path domain intersection,
 * approval if either asks. Pairs whose domains are empty are dropped, and so
 * are pairs that would need two different named sets on one path (no single
 * constraint expresses that; dropping only ever removes authority).
 */
export function intersectGrants(a: readonly Grant[], b: readonly Grant[]): Grant[] {
  const result: Grant[] = [];
  for (const left of a) {
    for (const right of b) {
      const grant = intersectGrant(left, right);
      if (grant !== undefined) result.push(grant);
    }
  }
  const kept = withoutSubsumed(result);
  if (kept.length > GRANT_LIMITS.grantsPerList) {
    throw new WritError(
      "writ.too_many_grants",
      `The intersection of permissions and policy has ${kept.length} grants; a writ holds at most ${GRANT_LIMITS.grantsPerList}. Use broader action patterns in the policy.`,
    );
  }
  return kept;
}

function intersectGrant(left: Grant, right: Grant): Grant | undefined {
  const action = intersectActions(left.action, right.action);
  if (action === undefined) return undefined;
  const when: Record<string, Constraint> = {};
  const paths = new Set([...Object.keys(left.when ?? {}), ...Object.keys(right.when ?? {})]);
  for (const path of paths) {
    const l = left.when?.[path];
    const r = right.when?.[path];
    const domain: Domain | null | undefined =
      l && r ? intersectDomains(domainOf(l), domainOf(r)) : domainOf((l ?? r) as Constraint);
    if (!domain) return undefined;
    when[path] = constraintOf(domain);
  }
  const approval = left.approval ?? right.approval;
  return {
    action,
    ...(paths.size > 0 ? { when } : {}),
    ...(approval === undefined ? {} : { approval }),
  };
}

/** Drops grants another kept grant already covers, so intersections stay small. */
function withoutSubsumed(grants: Grant[]): Grant[] {
  const kept: Grant[] = [];
  grants.forEach((grant, index) => {
    const covered = grants.some(
      (other, otherIndex) =>
        otherIndex !== index &&
        whyNotNarrower([grant], [other]) === undefined &&
        // Of two equivalent grants keep the first.
        (whyNotNarrower([other], [grant]) !== undefined || otherIndex < index),
    );
    if (!covered) kept.push(grant);
  });
  return kept;
}
