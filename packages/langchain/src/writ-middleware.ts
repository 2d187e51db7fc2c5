import { type ClientTool, isLangChainTool, type ServerTool } from "@langchain/core/tools";
import type { Guard } from "@writ/core";
import { type AgentMiddleware, createMiddleware, ToolMessage } from "langchain";
import { guardToolCall } from "./guard-tool-call.js";
import { parseToolArguments } from "./parse-tool-arguments.js";
import { sessionFrom, type WritContext, writContextSchema } from "./writ-context.js";
import {
  type ActionResolver,
  checkWritToolOptions,
  unmappedToolError,
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
  const { guard, actionOf } = checkWritToolOptions(options, "writMiddleware");
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
      const action = actionOf(toolCall.name, metadataOf(tool));
      if (action === undefined) {
        if (tool !== undefined) throw unmappedToolError("writMiddleware", toolCall.name);
        // A name the model made up: refused like any unknown tool, since an
        // inner middleware could otherwise supply it unguarded.
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
    ...(options.hideUnusableTools === false
      ? {}
      : { wrapModelCall: hideUnusableTools(guard, actionOf) }),
  });
}

function hideUnusableTools(
  guard: Guard,
  actionOf: ActionResolver,
): NonNullable<WritMiddleware["wrapModelCall"]> {
  return async (request, handler) => {
    const writ = sessionFrom(request.runtime.context).writ.toString();
    const tools = request.tools.filter((tool) => {
      // Provider-executed tools never reach wrapToolCall; Writ cannot guard them.
      if (!isLangChainTool(tool)) return true;
      const action = actionOf(tool.name, metadataOf(tool));
      if (action === undefined) throw unmappedToolError("writMiddleware", tool.name);
      return guard.canUse(writ, action);
    });
    return handler({ ...request, tools });
  };
}

function metadataOf(tool: unknown): unknown {
  return tool !== null && typeof tool === "object" && "metadata" in tool
    ? tool.metadata
    : undefined;
}
