import { isWritError } from "@writ/core";
import { EXIT_CODES, type ExitCode } from "./exit-codes.js";
import { UsageError } from "./usage-error.js";

/** The exit code an error ends the command with (see EXIT_CODES). */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof UsageError || error instanceof TypeError) return EXIT_CODES.usage;
  if (!isWritError(error)) return EXIT_CODES.failed;
  const { code } = error;
  if (code === "grant.syntax" || code === "grant.invalid" || code === "request.invalid")
    return EXIT_CODES.usage;
  if (code === "store.not_found" || code === "request.not_found") return EXIT_CODES.notFound;
  if (code.endsWith(".unavailable") || code === "upstream.timeout") return EXIT_CODES.unavailable;
  if (
    code.startsWith("auth.") ||
    code.startsWith("revoked.") ||
    code.startsWith("live.") ||
    code.startsWith("delegation.") ||
    code.startsWith("approval.") ||
    code.startsWith("token.") ||
    code === "issue.no_authority" ||
    code === "request.rate_limited"
  ) {
    return EXIT_CODES.refused;
  }
  return EXIT_CODES.failed;
}
