import type { ModelMessage } from "ai";

// The parts of the AI SDK this package reads, calls or hands back, typed by
// their shape in AI SDK 6 and 7 alike: where the two differ (the tool's
// context, the generic execute options of 7), only what both have is named.

/** What the SDK passes a tool's `needsApproval`: AI SDK 6 names the context `experimental_context`, 7 `context`. */
export interface ApprovalOptions {
  readonly toolCallId: string;
  readonly messages: ModelMessage[];
  readonly context?: unknown;
  readonly experimental_context?: unknown;
}

/** What the SDK passes a tool's `execute`. */
export interface ExecuteOptions extends ApprovalOptions {
  readonly abortSignal?: AbortSignal;
}

/**
 * The members of a tool that withWrit calls or replaces. Their options are
 * checked both ways (method types), so that a tool typed for either version
 * fits: the SDK's options are handed on as they came.
 */
export interface ToolShape {
  execute?(input: unknown, options: ExecuteOptions): unknown;
  needsApproval?:
    | boolean
    | Method<(input: unknown, options: ApprovalOptions) => boolean | PromiseLike<boolean>>
    | undefined;
  /** AI SDK 7: the schema of the tool's own context, a zod, Standard or AI SDK schema. */
  readonly contextSchema?: unknown;
}

type Method<FN extends (...args: never[]) => unknown> = {
  method(...args: Parameters<FN>): ReturnType<FN>;
}["method"];

/** A Standard Schema (v1) validating a `CONTEXT`: the form of AI SDK 7's `contextSchema` Writ sets. */
export interface ContextSchema<CONTEXT> {
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (
      value: unknown,
    ) => ContextValidation<CONTEXT> | Promise<ContextValidation<CONTEXT>>;
    readonly types?: { readonly input: unknown; readonly output: CONTEXT } | undefined;
  };
}

export type ContextValidation<CONTEXT> =
  | { readonly value: CONTEXT; readonly issues?: undefined }
  | { readonly issues: readonly { readonly message: string }[] };

/** An AI SDK 7 tool approval status (`toolApproval`): a string, or an object with a reason. */
export type ToolApprovalStatus =
  | undefined
  | "not-applicable"
  | "approved"
  | "denied"
  | "user-approval"
  | { readonly type: "not-applicable"; readonly reason?: never }
  | { readonly type: "approved" | "denied" | "user-approval"; readonly reason?: string };

/** What AI SDK 7 passes a `toolApproval` function: the call, the tools and their contexts. */
export interface ToolApprovalOptions {
  readonly toolCall: {
    readonly toolName: string;
    readonly toolCallId: string;
    readonly input: unknown;
  };
  readonly tools: Readonly<Record<string, unknown>> | undefined;
  readonly toolsContext: unknown;
  readonly messages: ModelMessage[];
}
