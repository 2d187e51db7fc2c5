import type { Call } from "../guard/call.js";
import type { AllowDecision } from "../guard/decision.js";
import type { Guard } from "../guard/guard.js";

/**
 * Runs a streaming tool the guard allowed, passing every value through, and
 * records one outcome when the stream ends: its last value when it
 * completes, the error when it fails (rethrown), and a failure when its
 * consumer stops reading early (an aborted run ends the tool early, and the
 * ledger says so).
 */
export async function* streamAllowed<T>(
  guard: Guard,
  decision: AllowDecision,
  call: Call,
  stream: (decision: AllowDecision) => AsyncIterable<T>,
): AsyncGenerator<T, void, undefined> {
  const started = guard.now();
  let last: T | undefined;
  let recorded = false;
  try {
    for await (const value of stream(decision)) {
      last = value;
      yield value;
    }
    recorded = true;
    await guard.complete(decision, { ok: true, output: last }, call, started);
  } catch (error) {
    recorded = true;
    await guard.complete(decision, { ok: false, error }, call, started);
    throw error;
  } finally {
    if (!recorded) {
      await guard.complete(
        decision,
        { ok: false, error: new Error("The stream was closed before it completed.") },
        call,
        started,
      );
    }
  }
}
