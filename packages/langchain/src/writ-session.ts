import type { Session } from "@writ/core";
import { sessionFrom } from "./writ-context.js";

/**
 * The session of the agent running a tool, from the ToolRuntime (or config)
 * LangChain passes the tool: the `writSession` the agent was invoked with,
 * in `context` (or, for LangGraph tools, `configurable`). For delegating to
 * a worker agent: `writSession(runtime).delegate(worker, { grants })`. A
 * TypeError that says how to pass one when there is none, or when `context`
 * and `configurable` hold two different sessions.
 */
export function writSession(runtime: unknown): Session {
  const config = runtime !== null && typeof runtime === "object" ? runtime : {};
  return sessionFrom(Reflect.get(config, "context"), Reflect.get(config, "configurable"));
}
