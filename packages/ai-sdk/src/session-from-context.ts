import { Session } from "@writ/core";

/**
 * The session a tool call runs with when `withWrit` was given none: the
 * `experimental_context` of the generateText / streamText call (AI SDK 6), or
 * the tool's `context` (AI SDK 7), holding either the `Session` itself or an
 * object with a `session` property. Undefined when there is none.
 */
export function sessionFromContext(options: object): Session | undefined {
  for (const key of ["context", "experimental_context"] as const) {
    const value: unknown = Reflect.get(options, key);
    if (value instanceof Session) return value;
    if (typeof value === "object" && value !== null) {
      const nested: unknown = Reflect.get(value, "session");
      if (nested instanceof Session) return nested;
    }
  }
  return undefined;
}
