import { WritError } from "@writ/core";

/** What a validation issue says (Zod's issues carry these). */
export interface RequestIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/**
 * Every route's refusal of a request part that fails its schema: the first
 * five issues, each with its path (or the part's name), as `request.invalid`.
 */
export function invalidRequest(target: string, issues: readonly RequestIssue[]): WritError {
  const described = issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".") || target}: ${issue.message.replace(/\.$/, "")}`);
  return new WritError("request.invalid", `Invalid request ${target}: ${described.join("; ")}.`);
}
