import { type Grant, isWritError, parseGrantText } from "@writ/core";
import { UsageError } from "./usage-error.js";

/**
 * Parses grant text from the command line, so a mistake is shown where it
 * is, before anything is sent: the line and a caret under the column.
 */
export function grantArgument(text: string, what = "grants"): Grant[] {
  try {
    return parseGrantText(text);
  } catch (error) {
    if (isWritError(error) && error.code === "grant.syntax") {
      const { line, column } = error.details as { line?: number; column?: number };
      const source = line === undefined ? undefined : text.split("\n")[line - 1];
      const pointer =
        source === undefined || column === undefined
          ? ""
          : `\n  ${source}\n  ${" ".repeat(Math.max(0, column - 1))}^`;
      throw new UsageError(`Invalid ${what}: ${error.message}${pointer}`);
    }
    if (isWritError(error) && error.code === "grant.invalid") {
      throw new UsageError(`Invalid ${what}: ${error.message}`);
    }
    throw error;
  }
}
