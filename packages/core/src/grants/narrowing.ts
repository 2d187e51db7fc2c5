import { WritError } from "../errors.js";
import { actionContains } from "./action-pattern.js";
import { formatBudget } from "./budget-text.js";
import { budgetWindowSeconds } from "./budget-window.js";
import { domainOf, whyNotContained } from "./domain.js";
import type { Budget, Grant } from "./grant.js";
import { formatGrant } from "./grant-text.js";

/** Why a child grant list is not inside its parent's: the first child grant that escapes. */
export interface NarrowingFailure {
  /** Index of the child grant that is broader. */
  readonly grant: number;
  readonly action: string;
  /** The argument path where it escapes, when the escape is in a condition. */
  readonly path?: string;
  readonly reason: string;
}

/**
 * The subset check of DESIGN §3: each child grant must sit inside one parent
 * grant (action pattern contained, every parent-constrained path constrained at
 * least as tightly, parent approval kept). Returns undefined when it holds.
 */
export function whyNotNarrower(
  child: readonly Grant[],
  parent: readonly Grant[],
): NarrowingFailure | undefined {
  for (let index = 0; index < child.length; index++) {
    const grant = child[index] as Grant;
    let first: Omit<NarrowingFailure, "grant" | "action"> | undefined;
    let covered = false;
    for (const candidate of parent) {
      if (!actionContains(candidate.action, grant.action)) continue;
      const failure = whyGrantNotInside(grant, candidate);
      if (failure === undefined) {
        covered = true;
        break;
      }
      first ??= failure;
    }
    if (!covered) {
      return {
        grant: index,
        action: grant.action,
        ...(first ?? { reason: `no grant of the parent covers the action "${grant.action}"` }),
      };
    }
  }
  return undefined;
}

function whyGrantNotInside(
  child: Grant,
  parent: Grant,
): Omit<NarrowingFailure, "grant" | "action"> | undefined {
  if (parent.approval !== undefined && child.approval === undefined) {
    return {
      reason: `the parent grant "${formatGrant(parent)}" needs approval; the child must keep it`,
    };
  }
  for (const [path, parentConstraint] of Object.entries(parent.when ?? {})) {
    const childConstraint = child.when?.[path];
    if (childConstraint === undefined) {
      return { path, reason: `the parent constrains "${path}" and the child does not` };
    }
    const reason = whyNotContained(domainOf(parentConstraint), domainOf(childConstraint));
    if (reason !== undefined) return { path, reason };
  }
  return whyBudgetsWider(child.budgets ?? [], parent.budgets ?? []);
}

/**
 * A child may add budgets and tighten its parent's, and needs none of its
 * own: the guard charges every hop's budgets on every call, so no child can
 * escape them. What it may not do is promise more than the parent allows: a
 * child budget measuring what a parent budget measures, over a window no
 * longer than the parent's, with a higher maximum.
 */
function whyBudgetsWider(
  child: readonly Budget[],
  parent: readonly Budget[],
): Omit<NarrowingFailure, "grant" | "action"> | undefined {
  for (const mine of child) {
    for (const theirs of parent) {
      if (mine.measure !== theirs.measure || mine.path !== theirs.path) continue;
      if (
        (budgetWindowSeconds(mine.per) ?? 0) <= (budgetWindowSeconds(theirs.per) ?? 0) &&
        mine.max > theirs.max
      ) {
        return {
          ...(mine.path === undefined ? {} : { path: mine.path }),
          reason: `the budget "${formatBudget(mine)}" allows more than the parent's "${formatBudget(theirs)}"`,
        };
      }
    }
  }
  return undefined;
}

const NARROWING_RULE = {
  delegate: "A delegated writ may only narrow the authority it comes from.",
  issue: "A writ may only hold grants inside the user's permissions ∩ the agent's policy.",
} as const;

/**
 * Throws `delegation.broadens` naming the grant, the path and why, when
 * child ⊄ parent. `step` says whether a delegation or an issuance asked.
 */
export function assertNarrower(
  child: readonly Grant[],
  parent: readonly Grant[],
  step: keyof typeof NARROWING_RULE = "delegate",
): void {
  const failure = whyNotNarrower(child, parent);
  if (failure === undefined) return;
  const grant = child[failure.grant] as Grant;
  const at = failure.path === undefined ? "" : `, path "${failure.path}"`;
  throw new WritError(
    "delegation.broadens",
    `Cannot ${step} grant ${failure.grant} "${formatGrant(grant)}"${at}: ${failure.reason}. ${NARROWING_RULE[step]}`,
    {
      grant: failure.grant,
      action: failure.action,
      ...(failure.path === undefined ? {} : { path: failure.path }),
    },
  );
}
