import { type Session, usableActions } from "@writ/core";
import type { ToolSet } from "ai";
import { guardedToolOf } from "./guarded-tool.js";

/**
 * The names of the tools of a set that a session could ever use, for the
 * `activeTools` of generateText / streamText, so the model is offered only
 * those: `activeTools: usableTools(tools, session)`. A tool guarded by
 * withWrit is kept when the session's writ could ever be allowed its action
 * (`guard.canUse`, judged on the action alone); any other tool is kept as
 * it is. `session` defaults to the one given to withWrit. Calls are guarded
 * either way.
 */
export function usableTools<TOOLS extends ToolSet>(
  tools: TOOLS,
  session?: Session,
): (keyof TOOLS & string)[] {
  return Object.keys(tools).filter((name) => {
    const guarded = guardedToolOf(tools[name]);
    if (guarded === undefined) return true;
    const writ = (session ?? guarded.session)?.writ;
    if (writ === undefined) {
      throw new TypeError(
        `usableTools has no session for tool "${name}": pass the session the call will run with, usableTools(tools, session).`,
      );
    }
    return usableActions(guarded.guard, writ)(guarded.action);
  });
}
