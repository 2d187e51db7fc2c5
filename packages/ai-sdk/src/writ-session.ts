import type { Session } from "@writ/core";
import { runningCalls, toolCallIdOf } from "./allowed-call.js";
import { sessionFromContext } from "./session-from-context.js";

/**
 * The session a tool call runs with, from the options the SDK passes
 * `execute`: inside an execute guarded by withWrit, the session its call was
 * made with (withWrit's own `session`, or the call's context's); in any other
 * tool, the one in the call's context (`sessionFromContext`). For delegating
 * to a worker agent: `writSession(options).delegate(worker, { grants })`.
 * A TypeError that says how to pass one when there is none.
 */
export function writSession(options: unknown): Session {
  const session =
    runningCalls.find(options, toolCallIdOf(options))?.session ??
    (options !== null && typeof options === "object" ? sessionFromContext(options) : undefined);
  if (session === undefined) {
    throw new TypeError(
      "writSession(options) found no session: call it with the options the SDK passed execute, in a tool guarded by withWrit, or in a tool whose context holds one ({ session }: its toolsContext entry on AI SDK 7, experimental_context on AI SDK 6).",
    );
  }
  return session;
}
