import { traceToolRun } from "../telemetry/trace-tool-run.js";
import type { Call } from "./call.js";
import type { AllowDecision } from "./decision.js";
import type { Guard } from "./guard.js";

/** How an allowed run's ending is judged and delivered. */
export interface RunAllowedOptions<T> {
  /**
   * Whether an error pauses the tool rather than failing it (a framework's
   * interrupt: the tool runs again when the run resumes). Such an error is
   * rethrown with no outcome recorded, and the call's budgets are given back.
   */
  readonly suspends?: (error: unknown) => boolean;
  /**
   * Whether a returned output is the framework's way of reporting a failure
   * (an MCP `isError` result, an error ToolMessage). Such an output is
   * recorded as a failed outcome, without its content, which may echo
   * argument values the ledger keeps only in its erasable payloads.
   */
  readonly failed?: (output: T) => boolean;
  /**
   * Gets the output before its outcome is recorded, for a caller that answers
   * at once: the decision row is what must precede a run, not the outcome row.
   */
  readonly deliver?: (output: T) => void;
}

/**
 * Runs a call the guard allowed and records how it ended: the output, the
 * error it threw (rethrown), or a failure the output reports (`failed`).
 * The run is traced as an `writ.run_tool` span under the call's
 * `writ.authorize` span, when OpenTelemetry is installed.
 */
export async function runAllowed<T>(
  guard: Guard,
  decision: AllowDecision,
  call: Call,
  execute: (decision: AllowDecision) => T | Promise<T>,
  options: RunAllowedOptions<T> = {},
): Promise<T> {
  const started = guard.now();
  const trace = traceToolRun(decision);
  let output: T;
  try {
    output = await trace.within(() => execute(decision));
  } catch (error) {
    trace.end({ error });
    if (options.suspends?.(error) === true) await guard.releaseBudgets(decision);
    else await guard.complete(decision, { ok: false, error }, call, started);
    throw error;
  }
  const failure =
    options.failed?.(output) === true
      ? { ok: false as const, error: new Error("The tool returned an error result.") }
      : undefined;
  trace.end(failure);
  options.deliver?.(output);
  await guard.complete(decision, failure ?? { ok: true, output }, call, started);
  return output;
}
