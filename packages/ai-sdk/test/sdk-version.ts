import type { Session } from "@writ/core";
import type { generateText, ModelMessage, ToolSet } from "ai";
import * as ai from "ai";
import { type WritToolsContext, writToolsContext } from "../src/index.js";

/**
 * The AI SDK major version these tests run against: 7, the workspace's, or
 * 6 when vitest resolves "ai" to the ai6 package (WRIT_AI_SDK=6). Read
 * from the package itself (7 added isStepCount), so a switch that did not
 * take shows in the version test rather than passing unnoticed.
 */
export const AI_SDK_MAJOR: 6 | 7 = "isStepCount" in ai ? 7 : 6;

type CallOptions = Parameters<typeof generateText>[0];

/** What gives one generateText / streamText call its session, in the running SDK's own terms. */
export type PerCallSession<TOOLS> = "toolsContext" extends keyof CallOptions
  ? { readonly toolsContext: WritToolsContext<TOOLS> }
  : { readonly experimental_context: { readonly session: Session } };

/**
 * The call options that give the tools of a set guarded without a session
 * the session a call runs with, as the README documents for each version:
 * `toolsContext: writToolsContext(tools, session)` on AI SDK 7,
 * `experimental_context: { session }` on AI SDK 6.
 */
export function perCallSession<TOOLS extends ToolSet>(
  tools: TOOLS,
  session: Session,
): PerCallSession<TOOLS> {
  const options =
    AI_SDK_MAJOR === 7
      ? { toolsContext: writToolsContext(tools, session) }
      : { experimental_context: { session } };
  return options as PerCallSession<TOOLS>;
}

/**
 * What the model is shown for an error a tool threw: its message on AI SDK
 * 6, `error.toString()` (its name, then its message) on AI SDK 7.
 */
export function shownError(error: Error): string {
  return AI_SDK_MAJOR === 7 ? String(error) : error.message;
}

/**
 * The call options that give one tool a raw context value (no withWrit
 * involved): its `toolsContext` entry on AI SDK 7, `experimental_context`
 * on AI SDK 6.
 */
export function rawToolContext(tool: string, context: unknown): object {
  return AI_SDK_MAJOR === 7
    ? { toolsContext: { [tool]: context } }
    : { experimental_context: context };
}

/**
 * The options the SDK passes a tool's execute, for calling one directly: a
 * variable rather than a literal, so that AI SDK 6 types take the `context`
 * AI SDK 7 requires.
 */
export function executionOptions(toolCallId: string, context: Record<string, unknown> = {}) {
  const messages: ModelMessage[] = [];
  const options = { toolCallId, messages, context };
  return options;
}
