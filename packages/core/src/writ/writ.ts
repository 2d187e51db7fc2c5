import { WritError } from "../errors.js";
import type { Grant } from "../grants/grant.js";
import { decodeHop, type Hop } from "./hop.js";
import { HOP_SEPARATOR, WRIT_LIMITS } from "./limits.js";

/**
 * A writ: the ordered chain of signed hops `[root, hop1, …, leaf]`. A Writ is
 * decoded, not verified; only a guard's verifier decides whether to trust it.
 */
export class Writ {
  readonly hops: readonly Hop[];
  /** The serialized form, joined once: a session sends it with every call. */
  #text: string | undefined;

  /** @internal use Writ.parse(), issueWrit() or Session.delegate() */
  constructor(hops: readonly Hop[]) {
    if (hops.length === 0) throw new TypeError("A writ has at least one hop.");
    this.hops = Object.freeze([...hops]);
  }

  /** Decodes a serialized writ, checking bounds first. Throws WritError; verifies nothing. */
  static parse(serialized: string): Writ {
    return new Writ(splitWrit(serialized).map((compact, index) => decodeHop(compact, index)));
  }

  get root(): Hop {
    return this.hops[0] as Hop;
  }

  get leaf(): Hop {
    return this.hops[this.hops.length - 1] as Hop;
  }

  /** The user the whole chain acts for. */
  get user(): string {
    return this.root.claims.sub;
  }

  /** The agent the leaf hop authorizes. */
  get agent(): string {
    return this.leaf.claims.aud;
  }

  get tenant(): string | undefined {
    return this.root.claims.tnt;
  }

  /** The leaf's grants: the narrowest authority in the chain. */
  get grants(): readonly Grant[] {
    return this.leaf.claims.grants;
  }

  /** The earliest expiry in the chain. */
  get expiresAt(): Date {
    return new Date(Math.min(...this.hops.map((hop) => hop.claims.exp)) * 1000);
  }

  toString(): string {
    this.#text ??= this.hops.map((hop) => hop.compact).join(HOP_SEPARATOR);
    return this.#text;
  }

  toJSON(): string {
    return this.toString();
  }
}

/** Splits a serialized writ into compact hops after the size and hop-count bounds. */
export function splitWrit(serialized: unknown): string[] {
  if (typeof serialized !== "string" || serialized.length === 0) {
    throw new WritError("writ.malformed", "A writ must be a non-empty string of hops joined by ~.");
  }
  if (serialized.length > WRIT_LIMITS.bytes) {
    throw new WritError(
      "writ.too_large",
      `The writ is ${serialized.length} bytes; at most ${WRIT_LIMITS.bytes} are accepted.`,
    );
  }
  // Splits no further than one past the bound: refusing a string of 16 KiB of
  // separators must cost no more than reading a legitimate writ.
  const hops = serialized.split(HOP_SEPARATOR, WRIT_LIMITS.hops + 1);
  if (hops.length > WRIT_LIMITS.hops) {
    throw new WritError(
      "writ.too_many_hops",
      `The writ has more than ${WRIT_LIMITS.hops} hops; at most ${WRIT_LIMITS.hops} are accepted.`,
    );
  }
  return hops;
}
