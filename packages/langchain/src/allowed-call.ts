import { type AllowDecision, RunningCalls, type Session } from "@writ/core";
import { writSession } from "./writ-session.js";

/** The allowed calls running now, by the session that made them and their tool call id. */
export const runningCalls = new RunningCalls();

/**
 * The guard's allow decision for the tool call running now, from the
 * config (or ToolRuntime) LangChain passes a tool: what a credential broker
 * needs to hand the tool the user's provider token,
 * `broker.getAccessToken(allowedCall(config), "google")`. Found by the
 * call's session and tool call id, only while a tool guarded by
 * writMiddleware or withWrit runs; anywhere else the WritError
 * `credential.outside_call`.
 */
export function allowedCall(config: unknown): AllowDecision {
  return runningCalls.allowedCall(
    sessionOf(config),
    toolCallIdOf(config),
    "No allowed Writ call is running for this tool call: allowedCall(config) works inside a tool guarded by writMiddleware or withWrit, while it runs, with the config the tool was given.",
  );
}

function sessionOf(config: unknown): Session | undefined {
  try {
    return writSession(config);
  } catch {
    return undefined; // no session, or two: no call can be attributed
  }
}

/** ToolNode passes `toolCallId`; a tool invoked with a ToolCall also gets `toolCall`. */
function toolCallIdOf(config: unknown): string | undefined {
  if (config === null || typeof config !== "object") return undefined;
  const direct: unknown = Reflect.get(config, "toolCallId");
  if (typeof direct === "string") return direct;
  const toolCall: unknown = Reflect.get(config, "toolCall");
  if (toolCall !== null && typeof toolCall === "object") {
    const id: unknown = Reflect.get(toolCall, "id");
    if (typeof id === "string") return id;
  }
  return undefined;
}
