import { errorSpec, isWritError, isWritErrorCode } from "@writ/core";
import { EXIT_CODES, type ExitCode } from "./exit-codes.js";
import { UsageError } from "./usage-error.js";

/** The exit code an error ends the command with: the error registry's class for its code. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof UsageError || error instanceof TypeError) return EXIT_CODES.usage;
  if (!isWritError(error) || !isWritErrorCode(error.code)) return EXIT_CODES.failed;
  return EXIT_CODES[errorSpec(error.code).exit];
}
