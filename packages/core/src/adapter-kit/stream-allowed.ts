import type { Call } from "../guard/call.js";
import type { AllowDecision } from "../guard/decision.js";
import type { Guard } from "../guard/guard.js";
import { traceToolRun } from "../telemetry/trace-tool-run.js";

/**
 * Runs a streaming tool the guard allowed, passing every value through, and
 * records one outcome when the stream ends: its last value when it
 * completes, the error when it fails (rethrown), and a failure when its
 * consumer stops reading early (an aborted run ends the tool early, and the
 * ledger says so). Each step of the stream runs inside the tool's
 * `writ.run_tool` span, when OpenTelemetry is installed.
 */
export async function* streamAllowed<T>(
  guard: Guard,
  decision: AllowDecision,
  call: Call,
  stream: (decision: AllowDecision) => AsyncIterable<T>,
): AsyncGenerator<T, void, undefined> {
  const started = guard.now();
  const trace = traceToolRun(decision);
  let last: T | undefined;
  let recorded = false;
  let values: AsyncIterator<T> | undefined;
  try {
    values = trace.within(() => stream(decision)[Symbol.asyncIterator]());
    const source = values;
    for (;;) {
      const step = await trace.within(() => source.next());
      if (step.done === true) break;
      last = step.value;
      yield step.value;
    }
    recorded = true;
    trace.end();
    await guard.complete(decision, { ok: true, output: last }, call, started);
  } catch (error) {
    recorded = true;
    trace.end({ error });
    await guard.complete(decision, { ok: false, error }, call, started);
    throw error;
  } finally {
    if (!recorded) {
      // As for await does: a consumer that stops early closes the tool's stream.
      await trace.within(() => values?.return?.());
      const error = new Error("The stream was closed before it completed.");
      trace.end({ error });
      await guard.complete(decision, { ok: false, error }, call, started);
    }
  }
}
