import { type AllowDecision, type Session, WritError } from "@writ/core";
import { sessionFrom } from "./writ-context.js";

/** The allowed calls running now, by the session that made them and their tool call id. */
const running = new WeakMap<Session, Map<string, AllowDecision>>();

/** Runs an allowed tool with its decision findable by allowedCall() until it returns. */
export async function runInAllowedCall<T>(
  session: Session,
  decision: AllowDecision,
  execute: () => Promise<T>,
): Promise<T> {
  const calls = running.get(session) ?? new Map<string, AllowDecision>();
  running.set(session, calls);
  calls.set(decision.callId, decision);
  try {
    return await execute();
  } finally {
    calls.delete(decision.callId);
    if (calls.size === 0) running.delete(session);
  }
}

/**
 * The guard's allow decision for the tool call running now, from the
 * config (or ToolRuntime) LangChain passes a tool: what a credential broker
 * needs to hand the tool the user's provider token,
 * `broker.getAccessToken(allowedCall(config), "google")`. Found by the
 * call's session and tool call id, only while a tool guarded by
 * writMiddleware or withWrit runs; anywhere else `credential.outside_call`.
 */
export function allowedCall(config: unknown): AllowDecision {
  const decision = findAllowedCall(config);
  if (decision === undefined) {
    throw new WritError(
      "credential.outside_call",
      "No allowed Writ call is running for this tool call: allowedCall(config) works inside a tool guarded by writMiddleware or withWrit, while it runs, with the config the tool was given.",
    );
  }
  return decision;
}

function findAllowedCall(config: unknown): AllowDecision | undefined {
  if (config === null || typeof config !== "object") return undefined;
  const context = Reflect.get(config, "context");
  const configurable = Reflect.get(config, "configurable");
  let session: Session;
  try {
    session = sessionFrom(context, configurable);
  } catch {
    return undefined; // no session, or two: no call can be attributed
  }
  const callId = toolCallIdOf(config);
  return callId === undefined ? undefined : running.get(session)?.get(callId);
}

/** ToolNode passes `toolCallId`; a tool invoked with a ToolCall also gets `toolCall`. */
function toolCallIdOf(config: object): string | undefined {
  const direct: unknown = Reflect.get(config, "toolCallId");
  if (typeof direct === "string") return direct;
  const toolCall: unknown = Reflect.get(config, "toolCall");
  if (toolCall !== null && typeof toolCall === "object") {
    const id: unknown = Reflect.get(toolCall, "id");
    if (typeof id === "string") return id;
  }
  return undefined;
}
