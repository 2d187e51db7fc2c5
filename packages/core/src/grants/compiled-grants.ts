import { readArgumentPath } from "./argument-path.js";
import { type CompiledConstraint, compileConstraint } from "./compiled-constraint.js";
import { admitsStatically, domainOf } from "./domain.js";
import { type Constraint, type Grant, OPERATORS, type Scalar } from "./grant.js";
import { GrantIndex } from "./grant-index.js";

interface CompiledCheck {
  /** The same condition on the same path, in any grant of the list, has the same id. */
  readonly id: number;
  readonly segments: readonly string[];
  /** Where evaluate() keeps the value at this check's path: each path is read once per call. */
  readonly slot: number;
  readonly constraint: CompiledConstraint;
  /** This check's failures, made once: a refused grant costs the hot path no allocation. */
  readonly failures: { readonly [reason in Failure["reason"]]: Failure };
}

interface CompiledGrant {
  readonly grant: Grant;
  readonly checks: readonly CompiledCheck[];
}

/** Answers "is this value in the named set?"; undefined when the set could not be resolved. */
export type SetMembership = (set: string, value: Scalar) => boolean | undefined;

/** A request to resolve membership, gathered before evaluation so resolvers can be async. */
export interface SetQuery {
  readonly set: string;
  readonly value: Scalar;
}

/** How one grant list judged a call. */
export type GrantVerdict =
  | { readonly permitted: true; readonly approval: boolean; readonly grant: number }
  | { readonly permitted: false; readonly code: "grant.action_not_granted" }
  | {
      readonly permitted: false;
      readonly code: "grant.condition_failed" | "grant.set_unavailable";
      readonly grant: number;
      readonly path: string;
      readonly operator: string;
    };

const NO_SETS: SetMembership = () => undefined;

/**
 * A validated grant list prepared for the hot path: action patterns and
 * argument paths are split once, each constraint compiled into its check once.
 */
export class CompiledGrants {
  readonly grants: readonly Grant[];
  readonly usesSets: boolean;
  readonly #compiled: readonly CompiledGrant[];
  readonly #index: GrantIndex;
  /** The argument paths the grants check, each once, split into segments. */
  readonly #paths: (readonly string[])[] = [];
  /**
   * How many distinct checks the list holds, when some repeat (grants that
   * share a condition, such as an amount cap on each): evaluate() judges each
   * distinct check once per call. Undefined when none repeats.
   */
  readonly #sharedChecks: number | undefined;

  constructor(grants: readonly Grant[]) {
    this.grants = grants;
    const slots = new Map<string, number>();
    const slotOf = (path: string) => {
      let slot = slots.get(path);
      if (slot === undefined) {
        slot = this.#paths.push(path.split(".")) - 1;
        slots.set(path, slot);
      }
      return slot;
    };
    const checks = new Map<string, CompiledCheck>();
    let count = 0;
    const checkOf = (path: string, constraint: Constraint) => {
      // The constraint as written: two spellings of one domain stay apart, so a
      // refusal names the operator of the grant that failed.
      const key = `${path}\u0000${JSON.stringify(constraint)}`;
      let check = checks.get(key);
      if (check === undefined) {
        check = compileCheck(checks.size, path, slotOf(path), constraint);
        checks.set(key, check);
      }
      count++;
      return check;
    };
    this.#compiled = grants.map((grant) => ({
      grant,
      checks: Object.entries(grant.when ?? {}).map(([path, constraint]) =>
        checkOf(path, constraint),
      ),
    }));
    this.#sharedChecks = checks.size < count ? checks.size : undefined;
    this.#index = new GrantIndex(grants.map((grant) => grant.action));
    this.usesSets = grants.some((grant) =>
      Object.values(grant.when ?? {}).some((c) => c.inSet !== undefined),
    );
  }

  /** Whether some grant could ever permit the action, whatever the arguments. */
  mayPermit(action: string): boolean {
    return this.#index.matching(action).length > 0;
  }

  /**
   * A grant permits the call when its action matches and its condition holds.
   * The call needs approval only if every permitting grant asks for one.
   */
  evaluate(action: string, args: unknown, membership: SetMembership = NO_SETS): GrantVerdict {
    let approvalGrant: number | undefined;
    let failedGrant = -1;
    let failure: Failure | undefined;
    const matching = this.#index.matching(action);
    if (matching.length === 0) return { permitted: false, code: "grant.action_not_granted" };
    const values = this.#paths.map((segments) => readArgumentPath(args, segments));
    const judged: Judged | undefined =
      this.#sharedChecks === undefined ? undefined : new Array(this.#sharedChecks);
    for (const index of matching) {
      const compiled = this.#compiled[index] as CompiledGrant;
      const failed = firstFailure(compiled, values, membership, judged);
      if (failed === undefined) {
        if (compiled.grant.approval === undefined)
          return { permitted: true, approval: false, grant: index };
        approvalGrant ??= index;
      } else if (failure === undefined) {
        // Only the first failure is reported, and described only if no grant permits.
        failure = failed;
        failedGrant = index;
      }
    }
    if (approvalGrant !== undefined)
      return { permitted: true, approval: true, grant: approvalGrant };
    if (failure === undefined) return { permitted: false, code: "grant.action_not_granted" };
    return { permitted: false, grant: failedGrant, ...describeFailure(failure, values) };
  }

  /** The set lookups evaluate() would need for this call. */
  setQueries(action: string, args: unknown): SetQuery[] {
    const queries: SetQuery[] = [];
    for (const index of this.#index.matching(action)) {
      for (const { segments, constraint } of (this.#compiled[index] as CompiledGrant).checks) {
        if (constraint.set === undefined) continue;
        const value = readArgumentPath(args, segments);
        if (constraint.admits(value)) queries.push({ set: constraint.set, value: value as Scalar });
      }
    }
    return queries;
  }
}

/** Why a grant's condition failed: the check, and whether for want of a named set's answer. */
interface Failure {
  readonly reason: "static" | "set_unavailable" | "not_in_set";
  readonly path: string;
  readonly slot: number;
  readonly constraint: Constraint;
}

function compileCheck(
  id: number,
  path: string,
  slot: number,
  constraint: Constraint,
): CompiledCheck {
  const failure = (reason: Failure["reason"]): Failure => ({ reason, path, slot, constraint });
  return {
    id,
    segments: path.split("."),
    slot,
    constraint: compileConstraint(constraint),
    failures: {
      static: failure("static"),
      set_unavailable: failure("set_unavailable"),
      not_in_set: failure("not_in_set"),
    },
  };
}

/** Per call, by check id: the check's failure, null when it passed, undefined before it is judged. */
type Judged = (Failure | null | undefined)[];

function firstFailure(
  { checks }: CompiledGrant,
  values: readonly unknown[],
  membership: SetMembership,
  judged: Judged | undefined,
): Failure | undefined {
  for (const check of checks) {
    let failure = judged?.[check.id];
    if (failure === undefined) {
      failure = judge(check, values[check.slot], membership);
      if (judged !== undefined) judged[check.id] = failure;
    }
    if (failure !== null) return failure;
  }
  return undefined;
}

function judge(check: CompiledCheck, value: unknown, membership: SetMembership): Failure | null {
  const { admits, set } = check.constraint;
  if (!admits(value)) return check.failures.static;
  if (set !== undefined) {
    const member = membership(set, value as Scalar);
    if (member === undefined) return check.failures.set_unavailable;
    if (!member) return check.failures.not_in_set;
  }
  return null;
}

function describeFailure(
  { reason, path, constraint, slot }: Failure,
  values: readonly unknown[],
): { code: "grant.condition_failed" | "grant.set_unavailable"; path: string; operator: string } {
  if (reason === "set_unavailable")
    return { code: "grant.set_unavailable", path, operator: "inSet" };
  if (reason === "not_in_set") return { code: "grant.condition_failed", path, operator: "inSet" };
  const operator = failingOperator(constraint, values[slot]);
  return { code: "grant.condition_failed", path, operator };
}

/** Slow path, only on failure: which single operator refused the value. */
function failingOperator(constraint: Constraint, value: unknown): string {
  for (const operator of OPERATORS) {
    if (operator === "inSet" || constraint[operator] === undefined) continue;
    if (!admitsStatically(domainOf({ [operator]: constraint[operator] }), value)) return operator;
  }
  return "inSet";
}
