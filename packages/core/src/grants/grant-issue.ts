import { WritError } from "../errors.js";

/**
 * A reason a grant is not valid, as data. Wording lives in describeGrantIssue()
 * alone, so the CLI, the server and thrown errors all say the same thing.
 */
export type GrantIssue =
  | { readonly kind: "not_a_list" }
  | { readonly kind: "too_many_grants"; readonly limit: number }
  | { readonly kind: "not_an_object"; readonly grant: number }
  | { readonly kind: "unknown_member"; readonly grant: number; readonly member: string }
  | { readonly kind: "bad_action"; readonly grant: number }
  | { readonly kind: "bad_approval"; readonly grant: number }
  | { readonly kind: "bad_when"; readonly grant: number }
  | { readonly kind: "too_many_constraints"; readonly grant: number; readonly limit: number }
  | { readonly kind: "bad_path"; readonly grant: number; readonly path: string }
  | { readonly kind: "empty_constraint"; readonly grant: number; readonly path: string }
  | {
      readonly kind: "unknown_operator";
      readonly grant: number;
      readonly path: string;
      readonly operator: string;
    }
  | {
      readonly kind: "bad_operand";
      readonly grant: number;
      readonly path: string;
      readonly operator: string;
      readonly expected: string;
    }
  | { readonly kind: "bad_budgets"; readonly grant: number; readonly limit: number }
  | {
      readonly kind: "bad_budget";
      readonly grant: number;
      readonly budget: number;
      readonly expected: string;
    }
  | {
      readonly kind: "conflicting_types";
      readonly grant: number;
      readonly path: string;
      readonly operator: string;
      readonly types: readonly string[];
    };

export function describeGrantIssue(issue: GrantIssue): string {
  const where = "grant" in issue ? `grant ${issue.grant}` : "grants";
  const at = "path" in issue ? `${where}, path "${issue.path}"` : where;
  switch (issue.kind) {
    case "not_a_list":
      return "Grants must be an array of grant objects.";
    case "too_many_grants":
      return `A grant list holds at most ${issue.limit} grants; split the authority across fewer, broader grants.`;
    case "not_an_object":
      return `${where}: a grant must be an object like { "action": "refunds.approve" }.`;
    case "unknown_member":
      return `${where}: unknown member "${issue.member}"; a grant has only "action", "when", "approval" and "budgets".`;
    case "bad_action":
      return `${where}: "action" must be a dotted name like "refunds.approve" (letters, digits, _ and -), optionally ending in ".*", or "*" alone.`;
    case "bad_approval":
      return `${where}: "approval" can only be "human".`;
    case "bad_when":
      return `${where}: "when" must be an object from argument paths to constraints, like { "amount": { "lt": 5000 } }.`;
    case "too_many_constraints":
      return `${where}: at most ${issue.limit} constraints (operators) per grant.`;
    case "bad_path":
      return `${at}: paths are dotted names (letters, digits, _ and -; numbers index arrays), at most 16 segments.`;
    case "empty_constraint":
      return `${at}: a constraint needs at least one operator (eq, neq, lt, lte, gt, gte, in, nin, prefix, inSet).`;
    case "unknown_operator":
      return `${at}: unknown operator "${issue.operator}"; use eq, neq, lt, lte, gt, gte, in, nin, prefix or inSet.`;
    case "bad_operand":
      return `${at}, operator "${issue.operator}": expected ${issue.expected}.`;
    case "bad_budgets":
      return `${where}: "budgets" must be a list of at most ${issue.limit} budgets like { "measure": "sum", "path": "amount", "max": 500, "per": "1d" }.`;
    case "bad_budget":
      return `${where}, budget ${issue.budget}: expected ${issue.expected}.`;
    case "conflicting_types":
      return `${at}, operator "${issue.operator}": the operators on this path need different value types (${issue.types.join(" and ")}), so no value could pass.`;
  }
}

export function grantIssueError(issue: GrantIssue): WritError {
  return new WritError("grant.invalid", describeGrantIssue(issue), {
    ...("grant" in issue ? { grant: issue.grant } : {}),
    ...("path" in issue ? { path: issue.path } : {}),
    ...("operator" in issue ? { operator: issue.operator } : {}),
    ...("budget" in issue ? { budget: issue.budget } : {}),
  });
}
