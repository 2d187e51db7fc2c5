import { WritError } from "../errors.js";

/**
 * The refusal for whatever went wrong while judging a call or a writ: its own
 * WritError, or `guard.internal` for anything unexpected. Callers fail
 * closed with it: the call does not run, the writ is not accepted.
 */
export function failClosed(error: unknown): WritError {
  return error instanceof WritError
    ? error
    : new WritError(
        "guard.internal",
        "The guard failed while deciding; the call was refused.",
        {},
        error,
      );
}
