import type { AllowDecision, Call, Guard } from "@writ/core";
import type { CallToolResult } from "./mcp-sdk.js";

/**
 * Runs a tool the guard allowed and records how it ended. A result marked
 * `isError` is recorded as a failed outcome without its text, which may echo
 * argument values the ledger must not hold outside its erasable payloads.
 * `answer`, when given, gets the result before the outcome is recorded: the
 * decision row is what must precede a run, and the caller need not wait for
 * the outcome row too.
 */
export async function runAllowed(
  guard: Guard,
  decision: AllowDecision,
  call: Call,
  execute: () => Promise<CallToolResult>,
  answer?: (result: CallToolResult) => void,
): Promise<CallToolResult> {
  const started = guard.now();
  let result: CallToolResult;
  try {
    result = await execute();
  } catch (error) {
    await guard.complete(decision, { ok: false, error }, call, started);
    throw error;
  }
  answer?.(result);
  await guard.complete(
    decision,
    result.isError === true
      ? { ok: false, error: new Error("The tool returned an error result.") }
      : { ok: true, output: result },
    call,
    started,
  );
  return result;
}
