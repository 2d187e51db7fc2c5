import { Guard, type ToolActionResolver, type ToolActions, toolActionResolver } from "@writ/core";

/** Options shared by writMiddleware() and withWrit(). */
export interface WritToolOptions {
  /** The guard that decides and records every call (`createGuard()` from @writ/core). */
  readonly guard: Guard;
  /**
   * The Writ action each tool performs: a table by tool name (`{
   * approve_refund: "refunds.approve" }`) or a function of the name. A tool
   * not mapped uses its `metadata.writAction`, else its own name with each
   * `/` read as `.` (`files/read` performs `files.read`), which must then be
   * a valid action (letters, digits, `_`, `-`, dot-separated).
   */
  readonly actions?: ToolActions;
}

/** Maps a tool (by name and metadata) to the action the guard checks; a TypeError when it has none. */
export interface ToolActionsOf {
  actionOf(tool: string, metadata: unknown): string;
  /** For a tool name no registered tool has (a model's invention): its action, if the name gives one. */
  findAction(tool: string): string | undefined;
}

/** Checks the options once, when the middleware or wrapper is made. */
export function checkWritToolOptions(
  options: WritToolOptions,
  factory: string,
): { readonly guard: Guard; readonly actions: ToolActionsOf } {
  if (options === null || typeof options !== "object" || !(options.guard instanceof Guard)) {
    throw new TypeError(`${factory} needs { guard }: a Guard from createGuard() in @writ/core.`);
  }
  const resolver: ToolActionResolver = toolActionResolver(options.actions, { where: factory });
  return {
    guard: options.guard,
    actions: {
      actionOf: (tool, metadata) => resolver.actionOf(tool, writActionOf(metadata)),
      findAction: (tool) => resolver.findAction(tool),
    },
  };
}

/** The action a LangChain tool declares in its metadata, if it declares one. */
function writActionOf(metadata: unknown): unknown {
  return metadata !== null && typeof metadata === "object" && "writAction" in metadata
    ? metadata.writAction
    : undefined;
}
