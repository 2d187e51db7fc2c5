import { isAction } from "../grants/action-pattern.js";

/**
 * How an adapter is told the Writ action each tool performs: a table by tool
 * name, or a function of the name (answering undefined leaves the tool to the
 * default).
 */
export type ToolActions = Readonly<Record<string, string>> | ((tool: string) => string | undefined);

/** Maps tool names to actions by the one rule every adapter shares (see toolActionResolver). */
export interface ToolActionResolver {
  /**
   * The action `tool` performs. `declared` is an action the tool states
   * itself, where its framework has a place for one (a LangChain tool's
   * `metadata.writAction`, an MCP server's announcement). A tool with no valid
   * action is a TypeError that says how to map it.
   */
  actionOf(tool: string, declared?: unknown): string;
  /** The same, or undefined where actionOf throws: for tools only discovered at run time. */
  findAction(tool: string, declared?: unknown): string | undefined;
}

/**
 * The one rule by which every adapter maps a tool to its action: the
 * configured table entry or function answer, else the action the tool
 * declares, else `prefix` + the tool's name with each `/` read as `.`
 * (`files/read` performs `files.read`). Whatever gives the action must give a
 * valid one; nothing falls through silently. The table is checked here, once,
 * so a typo fails where it is configured. `where` names the adapter's factory
 * in every error.
 */
export function toolActionResolver(
  actions: ToolActions | undefined,
  options: { readonly where: string; readonly prefix?: string },
): ToolActionResolver {
  const { where, prefix = "" } = options;
  assertToolActions(actions, where);
  const resolve = (tool: string, declared: unknown): string | TypeError => {
    const mapped = mappedAction(actions, tool);
    if (mapped !== undefined) {
      return isAction(mapped)
        ? mapped
        : new TypeError(
            `${where}: the actions function answered ${JSON.stringify(mapped)} for tool ${JSON.stringify(tool)}, which is not a Writ action. Answer a dotted name like "refunds.approve", or undefined to use the tool's name.`,
          );
    }
    if (declared !== undefined) {
      return isAction(declared)
        ? declared
        : new TypeError(
            `${where}: tool ${JSON.stringify(tool)} declares the action ${JSON.stringify(declared)}, which is not a Writ action. Declare a dotted name like "refunds.approve", or map the tool in actions.`,
          );
    }
    const named = `${prefix}${tool.replaceAll("/", ".")}`;
    return isAction(named)
      ? named
      : new TypeError(
          `${where}: tool ${JSON.stringify(tool)} has no valid Writ action. A tool's name is its action (segments of letters, digits, "_" and "-", separated by "." or "/") unless it is mapped, and this one is not. Map it: actions: { ${JSON.stringify(tool)}: "refunds.approve" }.`,
        );
  };
  return {
    actionOf(tool, declared) {
      const action = resolve(tool, declared);
      if (action instanceof TypeError) throw action;
      return action;
    },
    findAction(tool, declared) {
      const action = resolve(tool, declared);
      return action instanceof TypeError ? undefined : action;
    },
  };
}

/** The table's entry or the function's answer for `tool`, unchecked; undefined when it gives none. */
export function mappedAction(actions: ToolActions | undefined, tool: string): unknown {
  if (actions === undefined) return undefined;
  if (typeof actions === "function") return actions(tool);
  return Object.hasOwn(actions, tool) ? actions[tool] : undefined;
}

function assertToolActions(actions: ToolActions | undefined, where: string): void {
  if (actions === undefined || typeof actions === "function") return;
  if (actions === null || typeof actions !== "object" || Array.isArray(actions)) {
    throw new TypeError(`${where}: actions must be a table of tool name → action, or a function.`);
  }
  for (const [tool, action] of Object.entries(actions)) {
    if (!isAction(action)) {
      throw new TypeError(
        `${where}: the action for tool ${JSON.stringify(tool)} is ${JSON.stringify(action)}; use a dotted name like "refunds.approve".`,
      );
    }
  }
}
