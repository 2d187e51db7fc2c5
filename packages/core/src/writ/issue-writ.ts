import { type Clock, numericDate, type RandomSource, systemClock, systemRandom } from "../clock.js";
import { WritError } from "../errors.js";
import type { Grant } from "../grants/grant.js";
import { intersectGrants } from "../grants/intersect-grants.js";
import { assertNarrower } from "../grants/narrowing.js";
import { toGrants } from "../grants/to-grants.js";
import { type AgentReference, assertPrincipalId } from "../keys/agent-identity.js";
import type { IssuerKeySet } from "../keys/issuer-keys.js";
import { ALGORITHM, WRIT_LIMITS, WRIT_TYPE } from "./limits.js";
import { mintHop, mintJti } from "./mint-hop.js";
import { Writ } from "./writ.js";

export interface IssueWritOptions {
  /** The issuer's keys; the active key signs. */
  readonly issuer: IssuerKeySet;
  /** The user the agent acts for, with the user's current permissions. */
  readonly user: { readonly id: string; readonly permissions: readonly Grant[] | string };
  /** The agent receiving the writ, with its policy (the grants it may ever use). */
  readonly agent: AgentReference & { readonly policy: readonly Grant[] | string };
  /**
   * Narrows the writ below permissions ∩ policy (e.g. the scope a token exchange asked for).
   * Must be inside that authority, or issuing throws `delegation.broadens`.
   */
  readonly grants?: readonly Grant[] | string;
  readonly tenant?: string;
  /** Lifetime in seconds. Default 900 (15 minutes): short, because live checks do the rest. */
  readonly ttl?: number;
  /** How many more hops may be delegated below the root. Default 3, at most 7. */
  readonly maxDepth?: number;
  readonly clock?: Clock;
  readonly random?: RandomSource;
}

export const DEFAULT_ROOT_TTL = 900;
export const DEFAULT_MAX_DEPTH = 3;

/** Issues a root writ whose grants are the user's permissions ∩ the agent's policy. */
export function issueWrit(options: IssueWritOptions): Writ {
  const { issuer, user, agent, tenant } = options;
  const clock = options.clock ?? systemClock;
  assertPrincipalId(user.id, "user");
  assertPrincipalId(agent.id, "agent");
  if (tenant !== undefined) assertPrincipalId(tenant, "tenant");
  const ttl = positiveSeconds(options.ttl ?? DEFAULT_ROOT_TTL, "ttl");
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (!Number.isSafeInteger(maxDepth) || maxDepth < 0 || maxDepth >= WRIT_LIMITS.hops) {
    throw new TypeError(
      `maxDepth must be an integer from 0 to ${WRIT_LIMITS.hops - 1}, got ${maxDepth}.`,
    );
  }

  const authority = intersectGrants(toGrants(user.permissions), toGrants(agent.policy));
  let grants = authority;
  if (options.grants !== undefined) {
    grants = toGrants(options.grants);
    assertNarrower(grants, authority, "issue");
  }
  if (grants.length === 0) {
    throw new WritError(
      "issue.no_authority",
      `User "${user.id}" and agent "${agent.id}" have no grant in common: the writ would allow nothing. Check the user's permissions and the agent's policy.`,
      { agent: agent.id },
    );
  }

  const now = numericDate(clock);
  const { kid, key } = issuer.active;
  const root = mintHop(
    { alg: ALGORITHM, typ: WRIT_TYPE, kid },
    {
      iss: issuer.issuer,
      sub: user.id,
      aud: agent.id,
      cnf: { jkt: agent.thumbprint },
      jti: mintJti(options.random ?? systemRandom),
      iat: now,
      exp: now + ttl,
      grants,
      dmax: maxDepth,
      ...(tenant === undefined ? {} : { tnt: tenant }),
    },
    key,
    0,
  );
  return new Writ([root]);
}

export function positiveSeconds(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`${name} must be a positive whole number of seconds, got ${value}.`);
  }
  return value;
}
