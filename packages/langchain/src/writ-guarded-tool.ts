import type { CallbackManagerForToolRun } from "@langchain/core/callbacks/manager";
import { ToolMessage } from "@langchain/core/messages";
import { StructuredTool, type ToolRunnableConfig } from "@langchain/core/tools";
import type { Guard } from "@writ/core";
import { guardToolCall } from "./guard-tool-call.js";
import { writSession } from "./writ-session.js";

type ToolBody = (
  args: unknown,
  runManager: CallbackManagerForToolRun | undefined,
  config: ToolRunnableConfig | undefined,
) => unknown;

/**
 * A LangChain tool guarded by Writ (made by withWrit()). It keeps the wrapped
 * tool's name, description, schema, returnDirect and response format; its
 * schema parses the arguments once, and the guard sees the parsed values the
 * tool then runs with. A refused call returns an error ToolMessage.
 */
export class WritGuardedTool extends StructuredTool {
  override name: string;
  override description: string;
  override schema: StructuredTool["schema"];
  readonly action: string;
  readonly #guard: Guard;
  readonly #body: ToolBody;

  constructor(tool: StructuredTool, guard: Guard, action: string) {
    super({
      ...(tool.responseFormat === undefined ? {} : { responseFormat: tool.responseFormat }),
      ...(tool.metadata === undefined ? {} : { metadata: tool.metadata }),
      ...(tool.tags === undefined ? {} : { tags: tool.tags }),
      ...(tool.defaultConfig === undefined ? {} : { defaultConfig: tool.defaultConfig }),
      verboseParsingErrors: tool.verboseParsingErrors,
    });
    this.name = tool.name;
    this.description = tool.description;
    this.schema = tool.schema;
    this.returnDirect = tool.returnDirect;
    if (tool.extras !== undefined) this.extras = tool.extras;
    this.action = action;
    this.#guard = guard;
    // The wrapped tool's body is run directly (it is protected in TypeScript
    // only) so arguments are parsed once, here, rather than again by the tool.
    const body = (tool as unknown as { _call: ToolBody })._call;
    this.#body = body.bind(tool);
  }

  protected override async _call(
    args: unknown,
    runManager?: CallbackManagerForToolRun,
    config?: ToolRunnableConfig,
  ): Promise<unknown> {
    const toolCall = config?.toolCall;
    return guardToolCall({
      guard: this.#guard,
      session: writSession(config),
      action: this.action,
      tool: this.name,
      args,
      rawArgs: toolCall?.args ?? (isRecord(args) ? args : { input: args }),
      callId: toolCall?.id,
      execute: () => settle(this.#body(args, runManager, config), runManager),
      refuse: (content, callId) => this.#refusal(content, callId),
    });
  }

  #refusal(content: string, callId: string): unknown {
    const message = new ToolMessage({
      content,
      name: this.name,
      tool_call_id: callId,
      status: "error",
    });
    // StructuredTool.call wants a [content, artifact] pair from such tools, and
    // passes a ToolMessage in the content slot through as the tool's result.
    return this.responseFormat === "content_and_artifact" ? [message, undefined] : message;
  }
}

/** Runs a tool body to its result; a streaming body's events go to the callbacks, as StructuredTool.call does. */
async function settle(body: unknown, runManager: CallbackManagerForToolRun | undefined) {
  const raw = await body;
  if (!isAsyncGenerator(raw)) return raw;
  let step = await raw.next();
  while (!step.done) {
    try {
      await runManager?.handleToolEvent(step.value);
    } catch (streamError) {
      await runManager?.handleToolError(streamError);
    }
    step = await raw.next();
  }
  return step.value;
}

function isAsyncGenerator(value: unknown): value is AsyncGenerator<unknown, unknown> {
  return (
    value !== null &&
    typeof value === "object" &&
    Symbol.asyncIterator in value &&
    "next" in value &&
    typeof value.next === "function"
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
