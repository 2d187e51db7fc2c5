import { isActionPattern } from "./action-pattern.js";
import { budgetWindowSeconds, formatBudgetWindow } from "./budget-window.js";
import {
  type Budget,
  type Constraint,
  GRANT_LIMITS,
  type Grant,
  OPERATORS,
  type Operator,
  type Scalar,
} from "./grant.js";
import { type GrantIssue, grantIssueError } from "./grant-issue.js";

const PATH_SEGMENT = /^[A-Za-z0-9_-]+$/;
const SET_NAME = /^[A-Za-z0-9_-]+(?:[.:][A-Za-z0-9_-]+)*$/;
const FORBIDDEN_SEGMENTS = new Set(["__proto__", "prototype", "constructor"]);
const GRANT_MEMBERS = new Set(["action", "when", "approval", "budgets"]);
const BUDGET_MEMBERS = new Set(["measure", "path", "max", "per"]);
const OPERATOR_SET: ReadonlySet<string> = new Set(OPERATORS);

type ValueType = "string" | "number" | "boolean";

/**
 * Validates a grant list and returns a normalized copy (known members only,
 * empty conditions dropped). Throws `grant.invalid` naming the grant, path and
 * operator that are wrong and how to fix them.
 */
export function parseGrants(input: unknown): Grant[] {
  const result = checkGrants(input);
  if ("issue" in result) throw grantIssueError(result.issue);
  return result.grants;
}

/** Like parseGrants, but returns the first issue as data instead of throwing. */
export function checkGrants(input: unknown): { grants: Grant[] } | { issue: GrantIssue } {
  if (!Array.isArray(input)) return { issue: { kind: "not_a_list" } };
  if (input.length > GRANT_LIMITS.grantsPerList) {
    return { issue: { kind: "too_many_grants", limit: GRANT_LIMITS.grantsPerList } };
  }
  const grants: Grant[] = [];
  for (let index = 0; index < input.length; index++) {
    const result = checkGrant(input[index], index);
    if ("issue" in result) return result;
    grants.push(result.grant);
  }
  return { grants };
}

function checkGrant(input: unknown, grant: number): { grant: Grant } | { issue: GrantIssue } {
  if (!isPlainObject(input)) return { issue: { kind: "not_an_object", grant } };
  for (const member of Object.keys(input)) {
    if (!GRANT_MEMBERS.has(member)) return { issue: { kind: "unknown_member", grant, member } };
  }
  const { action, when, approval, budgets } = input;
  if (!isActionPattern(action)) return { issue: { kind: "bad_action", grant } };
  if (approval !== undefined && approval !== "human")
    return { issue: { kind: "bad_approval", grant } };
  const checked = when === undefined ? { condition: {} } : checkCondition(when, grant);
  if ("issue" in checked) return checked;
  const { condition } = checked;
  const checkedBudgets = budgets === undefined ? { budgets: [] } : checkBudgets(budgets, grant);
  if ("issue" in checkedBudgets) return checkedBudgets;
  return {
    grant: {
      action,
      ...(Object.keys(condition).length > 0 ? { when: condition } : {}),
      ...(approval === undefined ? {} : { approval }),
      ...(checkedBudgets.budgets.length > 0 ? { budgets: checkedBudgets.budgets } : {}),
    },
  };
}

function checkBudgets(
  input: unknown,
  grant: number,
): { budgets: Budget[] } | { issue: GrantIssue } {
  if (!Array.isArray(input) || input.length > GRANT_LIMITS.budgetsPerGrant) {
    return { issue: { kind: "bad_budgets", grant, limit: GRANT_LIMITS.budgetsPerGrant } };
  }
  const budgets: Budget[] = [];
  for (let budget = 0; budget < input.length; budget++) {
    const checked = checkBudget(input[budget]);
    if (typeof checked === "string") {
      return { issue: { kind: "bad_budget", grant, budget, expected: checked } };
    }
    budgets.push(checked);
  }
  return { budgets };
}

/** The normalized budget, or what was expected instead. */
function checkBudget(input: unknown): Budget | string {
  if (!isPlainObject(input) || Object.keys(input).some((key) => !BUDGET_MEMBERS.has(key))) {
    return 'an object with "measure", "max", "per" and, to sum, "path"';
  }
  const { measure, path, max, per } = input;
  if (measure !== "count" && measure !== "sum") return '"measure" "count" or "sum"';
  if (measure === "sum" && (typeof path !== "string" || !isArgumentPath(path))) {
    return 'a "path" to sum: a dotted argument path like "amount"';
  }
  if (measure === "count" && path !== undefined) return 'no "path": a count adds 1 per call';
  if (!isExactNumber(max) || max < 0 || (measure === "count" && !Number.isInteger(max))) {
    return measure === "count"
      ? 'a "max" that is a whole number of calls, 0 or more'
      : 'a "max" that is a finite number, 0 or more';
  }
  const seconds = budgetWindowSeconds(per);
  if (seconds === undefined) {
    return 'a window "per" like "30s", "15m", "1h", "1d" or "1w" (at most 366 days)';
  }
  return {
    measure,
    ...(measure === "sum" ? { path: path as string } : {}),
    max,
    per: formatBudgetWindow(seconds),
  };
}

function checkCondition(
  when: unknown,
  grant: number,
): { condition: Record<string, Constraint> } | { issue: GrantIssue } {
  if (!isPlainObject(when)) return { issue: { kind: "bad_when", grant } };
  const condition: Record<string, Constraint> = {};
  let constraints = 0;
  for (const [path, constraint] of Object.entries(when)) {
    if (!isArgumentPath(path)) return { issue: { kind: "bad_path", grant, path } };
    if (!isPlainObject(constraint) || Object.keys(constraint).length === 0) {
      return { issue: { kind: "empty_constraint", grant, path } };
    }
    constraints += Object.keys(constraint).length;
    if (constraints > GRANT_LIMITS.constraintsPerGrant) {
      return {
        issue: { kind: "too_many_constraints", grant, limit: GRANT_LIMITS.constraintsPerGrant },
      };
    }
    const checked = checkConstraint(constraint, grant, path);
    if ("issue" in checked) return checked;
    condition[path] = checked.constraint;
  }
  return { condition };
}

function checkConstraint(
  input: Record<string, unknown>,
  grant: number,
  path: string,
): { constraint: Constraint } | { issue: GrantIssue } {
  const constraint: Partial<Record<Operator, unknown>> = {};
  let type: ValueType | undefined;
  for (const operator of Object.keys(input)) {
    if (!OPERATOR_SET.has(operator))
      return { issue: { kind: "unknown_operator", grant, path, operator } };
    const operand = input[operator];
    const checked = checkOperand(operator as Operator, operand);
    if (typeof checked === "string") {
      return { issue: { kind: "bad_operand", grant, path, operator, expected: checked } };
    }
    if (checked.type !== undefined) {
      if (type !== undefined && type !== checked.type) {
        return {
          issue: { kind: "conflicting_types", grant, path, operator, types: [type, checked.type] },
        };
      }
      type = checked.type;
    }
    constraint[operator as Operator] = checked.value;
  }
  return { constraint: constraint as Constraint };
}

/** Returns the normalized operand and the value type it implies, or what was expected. */
function checkOperand(
  operator: Operator,
  operand: unknown,
): { value: unknown; type: ValueType | undefined } | string {
  switch (operator) {
    case "eq":
    case "neq":
      return isScalar(operand) ? { value: operand, type: typeOfScalar(operand) } : SCALAR;
    case "lt":
    case "lte":
    case "gt":
    case "gte":
      return isExactNumber(operand) ? { value: operand, type: "number" } : NUMBER;
    case "in":
    case "nin": {
      if (
        !Array.isArray(operand) ||
        operand.length === 0 ||
        operand.length > GRANT_LIMITS.listItems
      ) {
        return `a non-empty list of at most ${GRANT_LIMITS.listItems} values of one type`;
      }
      if (!operand.every(isScalar)) return `a list of ${SCALAR}s`;
      const type = typeOfScalar(operand[0]);
      if (!operand.every((item) => typeOfScalar(item) === type))
        return "a list whose values all have one type";
      return { value: [...new Set(operand)], type };
    }
    case "prefix":
      return typeof operand === "string" &&
        operand.length > 0 &&
        operand.length <= GRANT_LIMITS.stringLength
        ? { value: operand, type: "string" }
        : "a non-empty string";
    case "inSet":
      return typeof operand === "string" && SET_NAME.test(operand) && operand.length <= 128
        ? { value: operand, type: undefined }
        : 'a set name like "crm.contacts"';
  }
}

const SCALAR = "a string, a finite number or a boolean";
const NUMBER = "a finite number (integers within ±2^53)";

export function isScalar(value: unknown): value is Scalar {
  return (
    (typeof value === "string" && value.length <= GRANT_LIMITS.stringLength) ||
    typeof value === "boolean" ||
    isExactNumber(value)
  );
}

/** Finite, and exact: an integer beyond 2^53 has already lost precision, so it is refused. */
export function isExactNumber(value: unknown): value is number {
  return (
    typeof value === "number" &&
    Number.isFinite(value) &&
    (!Number.isInteger(value) || Number.isSafeInteger(value))
  );
}

function typeOfScalar(value: Scalar | undefined): ValueType {
  return typeof value as ValueType;
}

export function isArgumentPath(path: string): boolean {
  const segments = path.split(".");
  return (
    segments.length <= GRANT_LIMITS.pathSegments &&
    segments.every((segment) => PATH_SEGMENT.test(segment) && !FORBIDDEN_SEGMENTS.has(segment))
  );
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
