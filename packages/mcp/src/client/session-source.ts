import type { Session } from "@writ/core";

/** A session, or a function returning the current one (so renewed writs are picked up), as a function. */
export function sessionSource(session: Session | (() => Session), where: string): () => Session {
  if (typeof session === "function") return session;
  if (session === null || typeof session !== "object" || typeof session.prove !== "function") {
    throw new TypeError(`${where} needs a Session (or a function returning the current one).`);
  }
  return () => session;
}
