import { Guard, isAction } from "@writ/core";

/** Options shared by writMiddleware() and withWrit(). */
export interface WritToolOptions {
  /** The guard that decides and records every call (`createGuard()` from @writ/core). */
  readonly guard: Guard;
  /**
   * The Writ action each tool performs, by tool name: `{ approve_refund: "refunds.approve" }`.
   * A tool not listed uses its `metadata.writAction`, else its own name, which
   * must then be a valid action (letters, digits, `_`, `-`, dot-separated).
   */
  readonly actions?: Readonly<Record<string, string>>;
}

/** Maps a tool (by name and metadata) to the action the guard checks. */
export type ActionResolver = (tool: string, metadata: unknown) => string | undefined;

/** Checks the options once, when the middleware or wrapper is made. */
export function checkWritToolOptions(
  options: WritToolOptions,
  factory: string,
): { readonly guard: Guard; readonly actionOf: ActionResolver } {
  if (options === null || typeof options !== "object" || !(options.guard instanceof Guard)) {
    throw new TypeError(`${factory} needs { guard }: a Guard from createGuard() in @writ/core.`);
  }
  const actions = options.actions ?? {};
  for (const [tool, action] of Object.entries(actions)) {
    if (!isAction(action)) {
      throw new TypeError(
        `${factory}: actions.${tool} must be a Writ action such as "refunds.approve", got ${JSON.stringify(action)}.`,
      );
    }
  }
  return {
    guard: options.guard,
    actionOf: (tool, metadata) => {
      const action = Object.hasOwn(actions, tool) ? actions[tool] : writActionOf(tool, metadata);
      return isAction(action) ? action : undefined;
    },
  };
}

function writActionOf(tool: string, metadata: unknown): unknown {
  if (metadata !== null && typeof metadata === "object" && "writAction" in metadata) {
    return metadata.writAction;
  }
  return tool;
}

/** The error for a tool whose action cannot be resolved: the fix is a mapping. */
export function unmappedToolError(factory: string, tool: string): TypeError {
  return new TypeError(
    `${factory}: tool ${JSON.stringify(tool)} has no valid Writ action. Tool names are used as actions by default, and this one is not a dotted action name (or its metadata.writAction is invalid). Map it: ${factory}({ guard, actions: { ${JSON.stringify(tool)}: "refunds.approve" } }).`,
  );
}
