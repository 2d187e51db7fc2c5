import { type Clock, numericDate, type RandomSource, systemClock, systemRandom } from "../clock.js";
import { WritError } from "../errors.js";
import type { Grant } from "../grants/grant.js";
import { assertNarrower } from "../grants/narrowing.js";
import { toGrants } from "../grants/to-grants.js";
import { type AgentReference, assertPrincipalId } from "../keys/agent-identity.js";
import type { KeyPair } from "../keys/key-pair.js";
import { positiveSeconds } from "./issue-writ.js";
import { ALGORITHM, WRIT_LIMITS, WRIT_TYPE } from "./limits.js";
import { mintHop, mintJti } from "./mint-hop.js";
import { Writ } from "./writ.js";

export interface DelegateOptions {
  /** What the delegatee may do: JSON grants or the text form. Must be inside the delegator's grants. */
  readonly grants: readonly Grant[] | string;
  /** Lifetime in seconds; never past the parent's expiry (clamped to it). Default: the parent's remaining lifetime. */
  readonly ttl?: number;
  /** How many further hops the delegatee may delegate. Default: one less than the parent allows. */
  readonly maxDepth?: number;
  readonly clock?: Clock;
  readonly random?: RandomSource;
}

/**
 * Appends a hop that hands `to` a strictly narrower authority. Every check runs
 * before anything is signed; a broader grant throws `delegation.broadens`
 * naming the grant, the path and why.
 */
export function delegateWrit(
  parent: Writ,
  holder: KeyPair,
  to: AgentReference,
  options: DelegateOptions,
): Writ {
  const leaf = parent.leaf;
  if (holder.thumbprint !== leaf.claims.cnf.jkt) {
    throw new TypeError("Only the holder of the leaf hop's key can delegate this writ.");
  }
  assertPrincipalId(to.id, "agent");
  const clock = options.clock ?? systemClock;
  const now = numericDate(clock);
  const exp = Math.min(...parent.hops.map((hop) => hop.claims.exp));
  if (now >= exp) {
    throw new WritError(
      "delegation.expired",
      "Cannot delegate an expired writ; ask for a new one.",
      {
        hop: leaf.index,
      },
    );
  }
  const remainingDepth = Math.min(leaf.claims.dmax, WRIT_LIMITS.hops - parent.hops.length) - 1;
  if (remainingDepth < 0) {
    throw new WritError(
      "delegation.depth_exhausted",
      `Cannot delegate: the writ allows no further hops (its leaf has dmax ${leaf.claims.dmax}).`,
      { hop: leaf.index },
    );
  }
  const maxDepth = options.maxDepth ?? remainingDepth;
  if (!Number.isSafeInteger(maxDepth) || maxDepth < 0 || maxDepth > remainingDepth) {
    throw new WritError(
      "delegation.depth_exhausted",
      `maxDepth must be an integer from 0 to ${remainingDepth}, the depth the parent still allows; got ${maxDepth}.`,
      { hop: leaf.index },
    );
  }
  const grants = toGrants(options.grants);
  assertNarrower(grants, leaf.claims.grants);

  const ttl = options.ttl === undefined ? exp - now : positiveSeconds(options.ttl, "ttl");
  const hop = mintHop(
    { alg: ALGORITHM, typ: WRIT_TYPE, jwk: holder.publicJwk },
    {
      iss: leaf.claims.aud,
      sub: leaf.claims.sub,
      aud: to.id,
      cnf: { jkt: to.thumbprint },
      prf: leaf.hash,
      jti: mintJti(options.random ?? systemRandom),
      iat: now,
      exp: Math.min(now + ttl, exp),
      grants,
      dmax: maxDepth,
      ...(leaf.claims.tnt === undefined ? {} : { tnt: leaf.claims.tnt }),
    },
    holder,
    parent.hops.length,
  );
  const writ = new Writ([...parent.hops, hop]);
  // The bound every guard applies before reading a writ (splitWrit): minting
  // a writ past it would only hand the delegatee authority no guard accepts.
  const bytes = writ.toString().length;
  if (bytes > WRIT_LIMITS.bytes) {
    throw new WritError(
      "delegation.too_large",
      `Delegating would make a writ of ${bytes} bytes, and guards accept at most ${WRIT_LIMITS.bytes}. Delegate fewer or shorter grants, or from a writ with fewer hops.`,
      { hop: leaf.index },
    );
  }
  return writ;
}
