import { isAction } from "@writ/core";

/**
 * How tool names map to Writ actions: a table, or a function. A tool whose
 * action is undefined is neither listed nor callable, since no grant could
 * ever be checked for it.
 */
export type ActionMap = Readonly<Record<string, string>> | ((tool: string) => string | undefined);

/**
 * Resolves the action a tool performs: the map's answer, else `prefix` + the
 * tool name with `/` read as a segment separator, when that is a valid action.
 */
export function toolAction(tool: string, map?: ActionMap, prefix = ""): string | undefined {
  const mapped =
    map === undefined
      ? undefined
      : typeof map === "function"
        ? map(tool)
        : Object.hasOwn(map, tool)
          ? map[tool]
          : undefined;
  const action = mapped ?? `${prefix}${tool.replaceAll("/", ".")}`;
  return isAction(action) ? action : undefined;
}

/** Checks an action table once, where it is configured, so a typo fails at startup and not per call. */
export function assertActionMap(map: ActionMap | undefined, where: string): void {
  if (map === undefined || typeof map === "function") return;
  if (map === null || typeof map !== "object") {
    throw new TypeError(`${where}: actions must be a table of tool → action or a function.`);
  }
  for (const [tool, action] of Object.entries(map)) {
    if (!isAction(action)) {
      throw new TypeError(
        `${where}: the action for tool "${tool}" is ${JSON.stringify(action)}; use a dotted name like "files.read".`,
      );
    }
  }
}
