import type { SetMembership, SetQuery } from "../grants/compiled-grants.js";
import type { Scalar } from "../grants/grant.js";
import { withinDeadline } from "./within-deadline.js";

/** Who is asking, so a resolver can answer per user or tenant (e.g. this user's CRM contacts). */
export interface SetContext {
  readonly user: string;
  readonly tenant: string | undefined;
  readonly agent: string;
  readonly action: string;
  /** Aborted when the guard stops waiting for the answer (its deadline passed). */
  readonly signal: AbortSignal;
}

/** Answers whether `value` is in the named set, live, at call time. */
export type SetResolver = (value: Scalar, context: SetContext) => boolean | Promise<boolean>;

/**
 * Runs every resolver a call needs (once per distinct set and value) before
 * grants are evaluated. A missing resolver, a throw, a non-boolean answer or
 * no answer within `deadlineMs` leaves the membership unknown, which
 * evaluation refuses as `grant.set_unavailable`.
 */
export async function resolveSets(
  resolvers: Readonly<Record<string, SetResolver>>,
  queries: readonly SetQuery[],
  asker: Omit<SetContext, "signal">,
  deadlineMs: number,
): Promise<SetMembership> {
  const answers = new Map<string, boolean | undefined>();
  const stopWaiting = new AbortController();
  const context: SetContext = { ...asker, signal: stopWaiting.signal };
  const resolving = Promise.all(
    queries.map(async ({ set, value }) => {
      const key = membershipKey(set, value);
      if (answers.has(key)) return;
      answers.set(key, undefined);
      const resolver = Object.hasOwn(resolvers, set) ? resolvers[set] : undefined;
      if (!resolver) return;
      try {
        const answer = await resolver(value, context);
        if (!stopWaiting.signal.aborted) {
          answers.set(key, typeof answer === "boolean" ? answer : undefined);
        }
      } catch {
        // Fail closed: an unanswerable membership never passes.
        answers.set(key, undefined);
      }
    }),
  );
  try {
    await withinDeadline(resolving, deadlineMs, () => new Error("set resolvers timed out"));
  } catch {
    // Past the deadline every answer still missing stays unknown, and a late one is ignored.
    stopWaiting.abort();
  }
  return (set, value) => answers.get(membershipKey(set, value));
}

function membershipKey(set: string, value: Scalar): string {
  return `${set}\u0000${typeof value}\u0000${String(value)}`;
}
