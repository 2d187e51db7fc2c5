import { type AllowDecision, WritError } from "@writ/core";

/** The allowed calls running now, by the execute options the SDK passed their tool. */
const running = new WeakMap<object, AllowDecision>();

/** Runs an allowed execute with its decision findable by allowedCall(options) until it returns. */
export async function runInAllowedCall<T>(
  options: object,
  decision: AllowDecision,
  execute: () => Promise<T>,
): Promise<T> {
  running.set(options, decision);
  try {
    return await execute();
  } finally {
    running.delete(options);
  }
}

/** A streaming execute's values, with its decision findable until the stream ends. */
export async function* streamInAllowedCall(
  options: object,
  decision: AllowDecision,
  stream: () => AsyncIterable<unknown>,
): AsyncGenerator<unknown, void, undefined> {
  running.set(options, decision);
  try {
    yield* stream();
  } finally {
    running.delete(options);
  }
}

/**
 * The guard's allow decision for the tool call running now, from the
 * options the SDK passes `execute`: what a credential broker needs to hand
 * the tool the user's provider token,
 * `broker.getAccessToken(allowedCall(options), "google")`. Only while an
 * execute guarded by withWrit runs; anywhere else `credential.outside_call`.
 */
export function allowedCall(options: unknown): AllowDecision {
  const decision =
    typeof options === "object" && options !== null ? running.get(options) : undefined;
  if (decision === undefined) {
    throw new WritError(
      "credential.outside_call",
      "No allowed Writ call is running for these options: allowedCall(options) works inside an execute guarded by withWrit, while it runs, with the options the SDK passed it.",
    );
  }
  return decision;
}
