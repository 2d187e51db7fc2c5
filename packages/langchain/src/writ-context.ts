import { Session } from "@writ/core";
import { z } from "zod/v4";

const MISSING_SESSION =
  "Writ needs the caller's session: invoke with { context: { writSession } } (LangGraph tools also accept { configurable: { writSession } }), where writSession is a @writ/core Session.";

/**
 * What a guarded agent must be invoked with: `agent.invoke(input, { context:
 * { writSession } })`. The session is the agent's identity, key and writ; it
 * signs a proof for every tool call. Its private key never leaves the process.
 */
export const writContextSchema = z.object({
  writSession: z.custom<Session>((value) => {
    if (value instanceof Session) return true;
    // createAgent parses the context before the run starts and would report a
    // failed check as a ZodError listing issues: the caller's mistake is thrown as itself.
    throw new TypeError(MISSING_SESSION);
  }),
});

export type WritContext = z.infer<typeof writContextSchema>;

/**
 * The session under `writSession` in the given places (context, configurable).
 * Two different sessions are refused: a graph invoked inside another inherits
 * its parent's context, and silently picking one could run a sub-agent's call
 * under its parent's broader writ.
 */
export function sessionFrom(...sources: readonly unknown[]): Session {
  const sessions = new Set<Session>();
  for (const source of sources) {
    if (source !== null && typeof source === "object" && "writSession" in source) {
      const { writSession } = source;
      if (writSession instanceof Session) sessions.add(writSession);
    }
  }
  const [session, other] = sessions;
  if (other !== undefined) {
    throw new TypeError(
      "config.context.writSession and config.configurable.writSession are different sessions (a nested graph inherits its parent's context). Pass the session in one place, e.g. { context: { writSession } }.",
    );
  }
  if (session === undefined) throw new TypeError(MISSING_SESSION);
  return session;
}
