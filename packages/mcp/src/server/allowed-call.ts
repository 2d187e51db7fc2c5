import { type AllowDecision, RunningCalls } from "@writ/core";

/** The allowed calls running now, by the `extra` the SDK hands their tool's callback. */
export const runningCalls = new RunningCalls();

/** The id a running call is kept under within its `extra`: its JSON-RPC request id. */
export function requestIdOf(extra: unknown): string | undefined {
  if (extra === null || typeof extra !== "object") return undefined;
  const id: unknown = Reflect.get(extra, "requestId");
  return typeof id === "string" || typeof id === "number" ? String(id) : undefined;
}

/**
 * The guard's allow decision for the tool call running now, from the
 * `extra` the SDK hands a tool's callback (`async (args, extra) => …`): who
 * the call runs for, and what a credential broker needs to hand the tool the
 * user's provider token, `broker.getAccessToken(allowedCall(extra),
 * "google")`. Only while a tool of a server guarded by guardMcpServer runs;
 * anywhere else the WritError `credential.outside_call`.
 */
export function allowedCall(extra: unknown): AllowDecision {
  return runningCalls.allowedCall(
    extra,
    requestIdOf(extra),
    "No allowed Writ call is running for this request: allowedCall(extra) works inside a tool of a server guarded by guardMcpServer, while it runs, with the extra the SDK passed the tool.",
  );
}
