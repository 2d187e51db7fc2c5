import { Guard, Session, toolActionResolver } from "@writ/core";
import type { Tool, ToolSet } from "ai";
import type { Approver } from "./approver.js";
import { guardTool } from "./guard-tool.js";
import { GuardedTool } from "./guarded-tool.js";
import type { ContextSchema } from "./sdk-shapes.js";
import type { WritDenial } from "./writ-denial.js";
import type { WritToolContext } from "./writ-tools-context.js";

export interface WithWritOptions<TOOLS extends ToolSet> {
  /** The guard that decides, records and approves every call. */
  readonly guard: Guard;
  /**
   * The session every call is made with. Default: the one each
   * generateText / streamText call gives the tool, so one ToolSet can serve
   * many users: on AI SDK 7 its `toolsContext` entry (`toolsContext:
   * writToolsContext(tools, session)`), on AI SDK 6 `experimental_context`
   * (the Session, or an object with a `session` property).
   */
  readonly session?: Session;
  /**
   * The Writ action each tool performs: a table by tool name (`{
   * approve_refund: "refunds.approve" }`) or a function of the name. A tool
   * not mapped performs the action named like the tool, each `/` read as `.`
   * (`files/read` performs `files.read`); a tool that then has no valid
   * action is a TypeError here.
   */
  readonly actions?:
    | { readonly [NAME in keyof TOOLS]?: string }
    | ((tool: keyof TOOLS & string) => string | undefined);
  /**
   * How a refused call reaches the model. `"error"` (default): the tool fails
   * and the model sees the decision's model-safe message as the tool error.
   * `"result"`: the tool returns a `WritDenial` (`{ denied: true, code,
   * reason }`) as its output.
   */
  readonly denial?: "error" | "result";
  /**
   * Who answers the SDK's approval requests, recorded with each answer to a
   * request the guard asked for. Default: `"ai-sdk-approval-response"` (the
   * SDK's response names nobody, and the session's user is the one the call
   * was made for). Whoever can send that response answers: keep message
   * history on the server, or set `experimental_toolApprovalSecret`, so
   * clients cannot forge requests.
   */
  readonly approver?: Approver;
}

/** The tools of a set guarded with `denial: "result"`: each may also return a WritDenial. */
export type WithDenials<TOOLS extends ToolSet> = {
  [NAME in keyof TOOLS]: TOOLS[NAME] extends Tool<infer INPUT, infer OUTPUT>
    ? Tool<INPUT, OUTPUT | WritDenial>
    : TOOLS[NAME];
};

/**
 * The context a tool declares itself (AI SDK 7's `contextSchema`), read from
 * its execute options; unknown for a tool that declares none (and on AI SDK 6).
 */
type OwnContext<TOOL> = TOOL extends {
  readonly execute?: (input: never, options: infer OPTIONS) => unknown;
}
  ? OPTIONS extends { readonly context: infer CONTEXT }
    ? string extends keyof CONTEXT
      ? unknown
      : CONTEXT
    : unknown
  : unknown;

/**
 * A tool guarded without a session: its context (AI SDK 7) carries the
 * session beside its own fields, so `toolsContext` is typed to give it one.
 */
export type WithSessionContext<TOOL, OWN = TOOL> = TOOL extends unknown
  ? Omit<TOOL, "contextSchema"> & {
      readonly contextSchema: ContextSchema<OwnContext<OWN> & WritToolContext>;
    }
  : never;

/** The tools of a set guarded without a session (`OWN`: the tools as given, for their own contexts). */
export type WithSessionContexts<
  TOOLS,
  OWN extends { readonly [NAME in keyof TOOLS]: unknown } = TOOLS,
> = {
  [NAME in keyof TOOLS]: WithSessionContext<TOOLS[NAME], OWN[NAME]>;
};

/**
 * Guards every tool of a ToolSet with Writ: each call is decided and
 * recorded by the guard before the tool runs, approvals the policy asks for
 * go through the SDK's approval flow, and refusals reach the model in words
 * it may see. Returns a ToolSet with the same names, descriptions and schemas.
 */
export function withWrit<TOOLS extends ToolSet>(
  tools: TOOLS,
  options: WithWritOptions<TOOLS> & { readonly session: Session; readonly denial?: "error" },
): TOOLS;
export function withWrit<TOOLS extends ToolSet>(
  tools: TOOLS,
  options: WithWritOptions<TOOLS> & { readonly session: Session; readonly denial: "result" },
): WithDenials<TOOLS>;
export function withWrit<TOOLS extends ToolSet>(
  tools: TOOLS,
  options: WithWritOptions<TOOLS> & { readonly denial?: "error" },
): WithSessionContexts<TOOLS>;
export function withWrit<TOOLS extends ToolSet>(
  tools: TOOLS,
  options: WithWritOptions<TOOLS> & { readonly denial: "result" },
): WithSessionContexts<WithDenials<TOOLS>, TOOLS>;
export function withWrit<TOOLS extends ToolSet>(
  tools: TOOLS,
  options: WithWritOptions<TOOLS>,
): TOOLS {
  if (typeof tools !== "object" || tools === null || Array.isArray(tools)) {
    throw new TypeError("withWrit needs a ToolSet: an object of tools keyed by name.");
  }
  if (typeof options !== "object" || options === null || !(options.guard instanceof Guard)) {
    throw new TypeError("withWrit needs { guard }: the Guard from createGuard().");
  }
  const { guard, session, actions, denial = "error", approver } = options;
  if (session !== undefined && !(session instanceof Session)) {
    throw new TypeError("withWrit's session must be a Session.");
  }
  if (denial !== "error" && denial !== "result") {
    throw new TypeError(`withWrit's denial must be "error" or "result", not ${String(denial)}.`);
  }
  if (
    approver !== undefined &&
    typeof approver !== "function" &&
    (typeof approver !== "string" || approver.length === 0)
  ) {
    throw new TypeError("withWrit's approver must be a non-empty string or a function.");
  }
  const resolver = toolActionResolver(
    actions as Readonly<Record<string, string>> | ((tool: string) => string | undefined),
    { where: "withWrit" },
  );
  if (typeof actions === "object" && actions !== null) {
    for (const name of Object.keys(actions)) {
      if (!Object.hasOwn(tools, name)) {
        throw new TypeError(`withWrit's actions name "${name}", which is not a tool of this set.`);
      }
    }
  }
  const guarded: Record<string, ToolSet[string]> = {};
  for (const [name, tool] of Object.entries(tools)) {
    const action = resolver.actionOf(name);
    if (denial === "result" && tool.outputSchema !== undefined) {
      throw new TypeError(
        `Tool "${name}" declares an outputSchema that a WritDenial would not match; guard it with denial: "error".`,
      );
    }
    guarded[name] = guardTool(
      tool,
      new GuardedTool({ guard, name, action, session, approver }),
      denial,
    );
  }
  // Same names as the input, each tool with the same shape: the overloads say what its types are.
  return guarded as TOOLS;
}
