import type {
  AllowDecision,
  ApprovalRequiredDecision,
  Call,
  DenyDecision,
  Guard,
} from "@writ/core";

/**
 * Runs a streaming execute (an async generator) under the guard: authorizes
 * before the tool starts, passes every value through as the SDK's
 * preliminary results, and records one outcome when the stream completes,
 * fails, or is closed early by its consumer.
 */
export async function* guardedStream(
  guard: Guard,
  prepare: () => Promise<Call>,
  stream: (decision: AllowDecision) => AsyncIterable<unknown>,
  refuse: (decision: DenyDecision | ApprovalRequiredDecision) => unknown,
): AsyncGenerator<unknown, void, undefined> {
  const call = await prepare();
  const decision = await guard.authorize(call);
  if (decision.effect !== "allow") {
    yield refuse(decision);
    return;
  }
  const started = guard.now();
  let last: unknown;
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
    // A consumer that stops iterating (an aborted run) ends the tool early; the ledger says so.
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
