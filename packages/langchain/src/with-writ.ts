import { isStructuredTool, type StructuredTool } from "@langchain/core/tools";
import { WritGuardedTool } from "./writ-guarded-tool.js";
import { checkWritToolOptions, type WritToolOptions } from "./writ-tool-options.js";

export type WithWritOptions = WritToolOptions;

/**
 * Guards tools for LangGraph's ToolNode or a custom graph. Each call takes the
 * caller's session from `config.context.writSession` or
 * `config.configurable.writSession`. Refused calls return an error
 * ToolMessage; calls that need approval interrupt the graph.
 */
export function withWrit(
  tools: readonly StructuredTool[],
  options: WithWritOptions,
): WritGuardedTool[] {
  const { guard, actions } = checkWritToolOptions(options, "withWrit");
  if (!Array.isArray(tools)) throw new TypeError("withWrit needs an array of LangChain tools.");
  return tools.map((tool) => {
    if (!hasToolBody(tool)) {
      throw new TypeError(
        "withWrit wraps LangChain tools: tool(), DynamicStructuredTool or a StructuredTool subclass.",
      );
    }
    return new WritGuardedTool(tool, guard, actions.actionOf(tool.name, tool.metadata));
  });
}

function hasToolBody(tool: StructuredTool): boolean {
  return isStructuredTool(tool) && typeof Reflect.get(tool, "_call") === "function";
}
