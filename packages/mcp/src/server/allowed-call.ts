import { type AllowDecision, RunningCalls } from "@writ/core";
import { requestIdOf } from "../shared/mcp-sdk.js";

/** The allowed calls running now, by the context the SDK hands their tool's callback. */
export const runningCalls = new RunningCalls();

/**
 * The guard's allow decision for the tool call running now, from the context
 * the SDK hands a tool's callback as its last argument (`extra` in SDK v1,
 * `ctx` in v2: `async (args, extra) => …`): who the call runs for, and what
 * a credential broker needs to hand the tool the user's provider token,
 * `broker.getAccessToken(allowedCall(extra), "google")`. Only while a tool of
 * a server guarded by guardMcpServer runs; anywhere else the WritError
 * `credential.outside_call`.
 */
export function allowedCall(extra: unknown): AllowDecision {
  return runningCalls.allowedCall(
    extra,
    requestIdOf(extra),
    "No allowed Writ call is running for this request: allowedCall(extra) works inside a tool of a server guarded by guardMcpServer, while it runs, with the context the SDK passed the tool.",
  );
}
