import { type ClientTool, isLangChainTool, type ServerTool } from "@langchain/core/tools";
import { type Guard, usableActions } from "@writ/core";
import { type AgentMiddleware, createMiddleware, ToolMessage } from "langchain";
import { guardToolCall } from "./guard-tool-call.js";
import { parseToolArguments } from "./parse-tool-arguments.js";
import { sessionFrom, type WritContext, writContextSchema } from "./writ-context.js";
import {
  checkWritToolOptions,
  type ToolActionsOf,
  type WritToolOptions,
} from "./writ-tool-options.js";

export interface WritMiddlewareOptions extends WritToolOptions {
  /**
   * Leave out of each model request the tools this session can never use
   * (`guard.canUse`), so the model is not offered them. Calls are guarded
   * either way. Default true.
   */
  readonly hideUnusableTools?: boolean;
}

export type WritMiddleware = AgentMiddleware<
  undefined,
  typeof writContextSchema,
  WritContext,
  readonly (ClientTool | ServerTool)[],
  readonly []
>;

/**
 * Guards every tool call of a langchain `createAgent` agent. Invoke the agent
 * with `{ context: { writSession } }`. Allowed calls run and their outcome is
 * recorded; refused calls return an error ToolMessage with a model-safe
 * reason (the run goes on); calls that need a human approval interrupt the
 * graph (resume as with humanInTheLoopMiddleware; needs a checkpointer).
 */
export function writMiddleware(options: WritMiddlewareOptions): WritMiddleware {
  const { guard, actions } = checkWritToolOptions(options, "writMiddleware");
  return createMiddleware({
    name: "WritMiddleware",
    contextSchema: writContextSchema,
    wrapToolCall: async (request, handler) => {
      const { toolCall, tool } = request;
      const refuse = (content: string, callId: string) =>
        new ToolMessage({
          content,
          name: toolCall.name,
          tool_call_id: toolCall.id ?? callId,
          status: "error",
        });
      const action =
        tool === undefined
          ? actions.findAction(toolCall.name)
          : actions.actionOf(toolCall.name, metadataOf(tool));
      if (action === undefined) {
        // A name the model made up that is no action either: refused like any
        // unknown tool, since an inner middleware could otherwise supply it unguarded.
        return refuse(`Error: ${toolCall.name} is not a valid tool.`, toolCall.id ?? "");
      }
      const session = sessionFrom(request.runtime.context);
      const parsed = await parseToolArguments(tool, toolCall.args);
      if (!parsed.ok) return refuse(parsed.message, toolCall.id ?? "");
      return guardToolCall({
        guard,
        session,
        action,
        tool: toolCall.name,
        args: parsed.args,
        rawArgs: toolCall.args,
        callId: toolCall.id,
        execute: async () => handler(request),
        refuse,
      });
    },
    wrapModelCall: offerTools(guard, actions, options.hideUnusableTools !== false),
  });
}

/**
 * Before each model request: every tool the model is offered must map to a
 * valid action (a TypeError that says how to map it, before any tool runs),
 * and with `hide`, the tools this session can never use are left out.
 */
function offerTools(
  guard: Guard,
  actions: ToolActionsOf,
  hide: boolean,
): NonNullable<WritMiddleware["wrapModelCall"]> {
  return async (request, handler) => {
    const usable = hide ? usableActions(guard, sessionFrom(request.runtime.context).writ) : null;
    const tools = request.tools.filter((tool) => {
      // Provider-executed tools never reach wrapToolCall; Writ cannot guard them.
      if (!isLangChainTool(tool)) return true;
      const action = actions.actionOf(tool.name, metadataOf(tool));
      return usable === null || usable(action);
    });
    return handler({ ...request, tools });
  };
}

function metadataOf(tool: unknown): unknown {
  return tool !== null && typeof tool === "object" && "metadata" in tool
    ? tool.metadata
    : undefined;
}
