import { Session } from "@writ/core";
import { asSchema, type ToolSet } from "ai";
import { guardedToolOf } from "./guarded-tool.js";
import type { ContextSchema, ContextValidation } from "./sdk-shapes.js";

/**
 * A tool's entry in AI SDK 7's `toolsContext` when withWrit was given no
 * session: the session its calls are made with (and, for a tool that
 * declares a `contextSchema` of its own, that context's fields beside it).
 */
export type WritToolContext = { readonly session: Session };

/** The `toolsContext` entries writToolsContext makes: one per tool guarded without a session. */
export type WritToolsContext<TOOLS> = {
  [NAME in keyof TOOLS as TOOLS[NAME] extends {
    readonly contextSchema: ContextSchema<WritToolContext>;
  }
    ? NAME
    : never]: WritToolContext;
};

/**
 * AI SDK 7: the `toolsContext` that gives every tool of a set guarded by
 * withWrit without a session the session a generateText / streamText call
 * runs with, `toolsContext: writToolsContext(tools, session)`. A tool that
 * declares its own `contextSchema` needs its own fields beside the session:
 * `{ ...writToolsContext(tools, session), weather: { session, apiKey } }`.
 */
export function writToolsContext<TOOLS extends ToolSet>(
  tools: TOOLS,
  session: Session,
): WritToolsContext<TOOLS> {
  if (!(session instanceof Session)) {
    throw new TypeError("writToolsContext needs the Session the calls are made with.");
  }
  const context: Record<string, WritToolContext> = {};
  for (const [name, tool] of Object.entries(tools)) {
    const guarded = guardedToolOf(tool);
    if (guarded !== undefined && guarded.session === undefined) context[name] = { session };
  }
  return context as WritToolsContext<TOOLS>;
}

/**
 * The `contextSchema` of a tool withWrit guards without a session, which
 * types its `toolsContext` entry as WritToolContext on AI SDK 7. A tool's own
 * schema still validates its own fields (the session taken aside, so a strict
 * schema does not refuse it); the session itself is checked when the call is
 * made, where the error says how to pass one.
 */
export function writContextSchema(own: unknown): ContextSchema<WritToolContext> {
  return {
    "~standard": {
      version: 1,
      vendor: "writ",
      validate: (value) =>
        own === undefined ? { value: value as WritToolContext } : validateOwn(own, value),
    },
  };
}

async function validateOwn(
  own: unknown,
  value: unknown,
): Promise<ContextValidation<WritToolContext>> {
  const { session, ...fields }: Record<string, unknown> =
    typeof value === "object" && value !== null ? { ...value } : {};
  const result = await asSchema(own as Parameters<typeof asSchema>[0]).validate?.(fields);
  if (result?.success === false) return { issues: [{ message: result.error.message }] };
  const validated: unknown = result === undefined ? fields : result.value;
  return { value: { ...(validated as object), session } as WritToolContext };
}
