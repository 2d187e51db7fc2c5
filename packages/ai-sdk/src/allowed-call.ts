import { type AllowDecision, RunningCalls } from "@writ/core";

/** The allowed calls running now, by the execute options the SDK passed their tool and its tool call id. */
export const runningCalls = new RunningCalls();

/** The tool call id in the options the SDK passes execute, by which a running call is found. */
export function toolCallIdOf(options: unknown): string | undefined {
  if (options === null || typeof options !== "object") return undefined;
  const id: unknown = Reflect.get(options, "toolCallId");
  return typeof id === "string" ? id : undefined;
}

/**
 * The guard's allow decision for the tool call running now, from the
 * options the SDK passes `execute`: what a credential broker needs to hand
 * the tool the user's provider token,
 * `broker.getAccessToken(allowedCall(options), "google")`. Only while an
 * execute guarded by withWrit runs (a streaming one until its stream ends);
 * anywhere else the WritError `credential.outside_call`.
 */
export function allowedCall(options: unknown): AllowDecision {
  return runningCalls.allowedCall(
    options,
    toolCallIdOf(options),
    "No allowed Writ call is running for these options: allowedCall(options) works inside an execute guarded by withWrit, while it runs, with the options the SDK passed it.",
  );
}
