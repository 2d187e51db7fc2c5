import type { SetMembership, SetQuery } from "../grants/compiled-grants.js";
import type { Scalar } from "../grants/grant.js";

/** Who is asking, so a resolver can answer per user or tenant (e.g. this user's CRM contacts). */
export interface SetContext {
  readonly user: string;
  readonly tenant: string | undefined;
  readonly agent: string;
  readonly action: string;
}

/** Answers whether `value` is in the named set, live, at call time. */
export type SetResolver = (value: Scalar, context: SetContext) => boolean | Promise<boolean>;

/**
 * Runs every resolver a call needs (once per distinct set and value) before
 * grants are evaluated. A missing resolver, a throw or a non-boolean answer
 * leaves the membership unknown, which evaluation treats as a failed constraint.
 */
export async function resolveSets(
  resolvers: Readonly<Record<string, SetResolver>>,
  queries: readonly SetQuery[],
  context: SetContext,
): Promise<SetMembership> {
  const answers = new Map<string, boolean | undefined>();
  await Promise.all(
    queries.map(async ({ set, value }) => {
      const key = membershipKey(set, value);
      if (answers.has(key)) return;
      answers.set(key, undefined);
      const resolver = Object.hasOwn(resolvers, set) ? resolvers[set] : undefined;
      if (!resolver) return;
      try {
        const answer = await resolver(value, context);
        answers.set(key, typeof answer === "boolean" ? answer : undefined);
      } catch {
        // Fail closed: an unanswerable membership never passes.
        answers.set(key, undefined);
      }
    }),
  );
  return (set, value) => answers.get(membershipKey(set, value));
}

function membershipKey(set: string, value: Scalar): string {
  return `${set}\u0000${typeof value}\u0000${String(value)}`;
}
