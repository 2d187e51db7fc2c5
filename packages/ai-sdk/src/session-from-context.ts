import { Session } from "@writ/core";

/**
 * The session a tool call runs with when `withWrit` was given none: the
 * tool's `context` (AI SDK 7, its entry in `toolsContext`) or the
 * `experimental_context` of the generateText / streamText call (AI SDK 6),
 * holding either the `Session` itself or an object with a `session`
 * property. Undefined when there is none.
 */
export function sessionFromContext(options: object): Session | undefined {
  return (
    sessionIn(Reflect.get(options, "context")) ??
    sessionIn(Reflect.get(options, "experimental_context"))
  );
}

/** The session a context value holds: the `Session` itself, or its `session` property. */
export function sessionIn(context: unknown): Session | undefined {
  if (context instanceof Session) return context;
  if (typeof context !== "object" || context === null) return undefined;
  const nested: unknown = Reflect.get(context, "session");
  return nested instanceof Session ? nested : undefined;
}
