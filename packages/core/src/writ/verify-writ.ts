import { BoundedCache } from "../bounded-cache.js";
import { WritError } from "../errors.js";
import { whyNotNarrower } from "../grants/narrowing.js";
import type { IssuerKeys } from "../keys/issuer-keys.js";
import type { PublicKey } from "../keys/public-key.js";
import { decodeHop, type Hop } from "./hop.js";
import { splitWrit } from "./writ.js";

/** A writ whose every hop is signed, linked and within its time, at the moment it was checked. */
export interface VerifiedWrit {
  readonly serialized: string;
  readonly hops: readonly Hop[];
  readonly leaf: Hop;
  readonly user: string;
  readonly tenant: string | undefined;
  /** Agent ids root→leaf (each hop's `aud`). */
  readonly agents: readonly string[];
  /** Hop `jti`s root→leaf. */
  readonly jtis: readonly string[];
  /** The issuer key id that signed the root. */
  readonly issuerKid: string;
}

export interface WritVerifierOptions {
  /** The pinned issuer: its id and the keys root hops may be signed with. */
  readonly issuer: IssuerKeys;
  /** Clock skew tolerated on iat, nbf and exp, in seconds. Default 60. Never applied to revocation. */
  readonly clockSkew?: number;
  /** How many verified hops to remember, and as many verified writs. Default 10,000. */
  readonly cacheSize?: number;
}

interface CachedHop {
  readonly hop: Hop;
  /** Thumbprint of the key the signature was checked with; a different key means check again. */
  verifiedWith?: string;
  /** The narrowing check against the parent that `prf` pins has passed. */
  narrowerThanParent?: boolean;
}

/** A whole writ that verified: its hops as cached, and what verify() answered for it. */
interface CachedChain {
  readonly root: CachedHop;
  readonly writ: VerifiedWrit;
}

/**
 * Verifies writs exactly as DESIGN §2, cheapest rejections first: bounds, then
 * headers and claim shapes, then signatures (memoized per hop), then linkage and time.
 */
export class WritVerifier {
  readonly #issuer: IssuerKeys;
  readonly #skew: number;
  readonly #cache: BoundedCache<string, CachedHop>;
  /**
   * Writs that verified, by their leaf hop's signature segment: a session
   * sends the same writ with every call, so its split, decoding, linkage and
   * distinct ids are checked once. What can change between calls (the issuer
   * key, the time) is checked on every call; live state is the guard's.
   */
  readonly #chains: BoundedCache<string, CachedChain>;

  constructor(options: WritVerifierOptions) {
    this.#issuer = options.issuer;
    this.#skew = options.clockSkew ?? 60;
    this.#cache = new BoundedCache(options.cacheSize ?? 10_000);
    this.#chains = new BoundedCache(options.cacheSize ?? 10_000);
  }

  get issuer(): IssuerKeys {
    return this.#issuer;
  }

  /** Verifies a serialized writ at `now` (epoch ms). Throws WritError with the first failure. */
  verify(serialized: string, now: number): VerifiedWrit {
    // Keyed by the leaf's signature segment, as hops are.
    const key =
      typeof serialized === "string" ? serialized.slice(serialized.lastIndexOf(".") + 1) : "";
    const known = this.#chains.get(key);
    // The whole text must match: a leaf signature reused on other bytes is verified afresh.
    if (known?.writ.serialized === serialized) {
      this.#checkIssuerKey(known.root);
      this.#checkTime(known.writ.hops, now / 1000);
      return known.writ;
    }
    const entries = splitWrit(serialized).map((compact, index) => this.#decode(compact, index));
    const rootEntry = entries[0] as CachedHop;
    const root = rootEntry.hop;
    const kid = this.#checkIssuerKey(rootEntry);
    entries.forEach((entry, index) => {
      if (index > 0) verifySignature(entry, entry.hop.signerKey as PublicKey);
    });
    for (let index = 1; index < entries.length; index++) {
      checkLink(entries[index - 1] as CachedHop, entries[index] as CachedHop, root);
    }
    const hops = Object.freeze(entries.map((entry) => entry.hop));
    checkDistinctIds(hops);
    this.#checkTime(hops, now / 1000);
    // Frozen: one answer serves every call of the writ (and its ledger rows' chain).
    const writ: VerifiedWrit = Object.freeze({
      serialized,
      hops,
      leaf: hops[hops.length - 1] as Hop,
      user: root.claims.sub,
      tenant: root.claims.tnt,
      agents: Object.freeze(hops.map((hop) => hop.claims.aud)),
      jtis: Object.freeze(hops.map((hop) => hop.claims.jti)),
      issuerKid: kid,
    });
    this.#chains.set(key, { root: rootEntry, writ });
    return writ;
  }

  /** The root is signed by a key the pinned issuer publishes now; returns its id. */
  #checkIssuerKey(rootEntry: CachedHop): string {
    const root = rootEntry.hop;
    if (root.claims.iss !== this.#issuer.issuer) {
      throw new WritError(
        "writ.wrong_issuer",
        "The root hop names an issuer this guard does not trust.",
        { hop: 0 },
      );
    }
    const kid = "kid" in root.header ? root.header.kid : "";
    const issuerKey = this.#issuer.publicKey(kid);
    if (!issuerKey) {
      throw new WritError(
        "writ.unknown_key",
        "The root hop is signed with a key the issuer does not (or no longer) publish.",
        {
          hop: 0,
          name: kid,
        },
      );
    }
    verifySignature(rootEntry, issuerKey);
    return kid;
  }

  #decode(compact: string, index: number): CachedHop {
    // Keyed by the signature segment: hashing it is cheaper than hashing the
    // whole hop on every call, and the full comparison below keeps a reused
    // signature on other bytes from ever hitting the cache.
    const key = compact.slice(compact.lastIndexOf(".") + 1);
    const cached = this.#cache.get(key);
    // A hop's decoding depends on its position (root or delegated), so a cached
    // hop seen at another position is decoded afresh and fails there.
    if (cached && cached.hop.compact === compact && cached.hop.index === index) return cached;
    const entry: CachedHop = { hop: decodeHop(compact, index) };
    this.#cache.set(key, entry);
    return entry;
  }

  #checkTime(hops: readonly Hop[], now: number): void {
    for (const { claims, index } of hops) {
      if (now > claims.exp + this.#skew) {
        throw new WritError("writ.expired", `Hop ${index} has expired; ask for a new writ.`, {
          hop: index,
        });
      }
      if (Math.max(claims.iat, claims.nbf ?? 0) > now + this.#skew) {
        throw new WritError(
          "writ.not_yet_valid",
          `Hop ${index} is not valid yet (issued in the future).`,
          {
            hop: index,
          },
        );
      }
    }
  }
}

function verifySignature(entry: CachedHop, key: PublicKey): void {
  if (entry.verifiedWith === key.thumbprint) return;
  const { hop } = entry;
  if (!key.verify(Buffer.from(hop.signingInput), hop.signature)) {
    throw new WritError("writ.bad_signature", `Hop ${hop.index}'s signature does not verify.`, {
      hop: hop.index,
    });
  }
  entry.verifiedWith = key.thumbprint;
}

/**
 * A hop id names one hop: revocations, the delegation graph and the ledger
 * find hops by it, so a chain that repeats one (a delegate re-signing its
 * parent's id) is refused.
 */
function checkDistinctIds(hops: readonly Hop[]): void {
  const seen = new Set<string>();
  for (const { claims, index } of hops) {
    if (seen.has(claims.jti)) {
      throw new WritError(
        "writ.jti_reused",
        `Hop ${index} reuses the id (jti) of an earlier hop in its chain.`,
        { hop: index },
      );
    }
    seen.add(claims.jti);
  }
}

function checkLink(parentEntry: CachedHop, childEntry: CachedHop, root: Hop): void {
  const parent = parentEntry.hop.claims;
  const { hop } = childEntry;
  const child = hop.claims;
  const at = { hop: hop.index };
  if (hop.signerKey?.thumbprint !== parent.cnf.jkt) {
    throw new WritError(
      "writ.key_mismatch",
      `Hop ${hop.index} is not signed by the key its parent was bound to.`,
      at,
    );
  }
  if (child.prf !== parentEntry.hop.hash || child.iss !== parent.aud) {
    throw new WritError(
      "writ.broken_chain",
      `Hop ${hop.index} does not continue the hop before it.`,
      at,
    );
  }
  if (child.sub !== root.claims.sub) {
    throw new WritError(
      "writ.subject_mismatch",
      `Hop ${hop.index} names a different user than the root.`,
      at,
    );
  }
  if (child.tnt !== root.claims.tnt) {
    throw new WritError(
      "writ.tenant_mismatch",
      `Hop ${hop.index} names a different tenant than the root.`,
      at,
    );
  }
  if (child.exp > parent.exp) {
    throw new WritError("writ.outlives_parent", `Hop ${hop.index} expires after its parent.`, at);
  }
  if (child.dmax >= parent.dmax) {
    throw new WritError(
      "writ.depth_exceeded",
      `Hop ${hop.index} exceeds the delegation depth its parent allows.`,
      at,
    );
  }
  if (!childEntry.narrowerThanParent) {
    const failure = whyNotNarrower(child.grants, parent.grants);
    if (failure) {
      throw new WritError(
        "writ.broadens",
        `Hop ${hop.index} grant ${failure.grant} is broader than its parent's grants.`,
        { ...at, grant: failure.grant, ...(failure.path ? { path: failure.path } : {}) },
      );
    }
    childEntry.narrowerThanParent = true;
  }
}
