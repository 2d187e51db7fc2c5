import { BoundedCache } from "../bounded-cache.js";
import { decodeBase64Url } from "../encoding/base64url.js";
import { sha256Base64Url } from "../encoding/sha256.js";
import { parseStrictJson } from "../encoding/strict-json.js";
import { WritError } from "../errors.js";
import { isPlainObject } from "../grants/validate-grants.js";
import { importHeaderKey, type PublicKey } from "../keys/public-key.js";
import type { Hop } from "../writ/hop.js";
import { ALGORITHM, PROOF_TYPE, WRIT_LIMITS } from "../writ/limits.js";
import { httpTargetUri } from "./create-proof.js";
import type { ProofClaims } from "./proof-claims.js";
import { ReplayCache, replayCacheCapacity } from "./replay-cache.js";

export interface ProofVerifierOptions {
  /** This guard's audience: proofs for any other audience are refused. */
  readonly audience: string;
  /** How long a proof is accepted after its iat, in seconds. Default 60. */
  readonly lifetime?: number;
  /** Tolerated clock skew for a proof issued "in the future", in seconds. Default 60. */
  readonly clockSkew?: number;
  /**
   * Proof ids remembered for replay detection (≈105 bytes each). Default: what
   * 10,000 proofs a second (5,000 with 2× headroom) leave in the window an id
   * is kept, lifetime + clock skew: 1,200,000 with the default 60 s + 60 s, at
   * most ≈126 MB when full. Past that many fresh ids, proofs are refused as
   * proof.replay_cache_full rather than a replay risked.
   */
  readonly replayCacheSize?: number;
}

/** What the call actually is; the proof must match it exactly. */
export interface ProofExpectation {
  readonly action: string;
  readonly tool: string;
  readonly argsHash: string;
  readonly leaf: Hop;
  /** The serialized writ, for `ath` under HTTP carriage. */
  readonly writ: string;
  readonly http?: { readonly method: string; readonly url: string };
}

const PROOF_HEADER = new Set(["alg", "typ", "jwk"]);
const PROOF_CLAIMS = new Set([
  "jti",
  "iat",
  "aud",
  "act",
  "tool",
  "ahs",
  "wth",
  "htm",
  "htu",
  "ath",
]);

/**
 * Verifies invocation proofs: the leaf key signed exactly this call, recently,
 * for this guard, once.
 */
export class ProofVerifier {
  readonly audience: string;
  readonly #lifetime: number;
  readonly #skew: number;
  readonly #replays: ReplayCache;
  // The proof header only carries the session's public key, so it repeats on
  // every call of a session: parse and import it once.
  readonly #headerKeys = new BoundedCache<string, PublicKey>(10_000);
  readonly #authenticated = new WeakSet<ProofClaims>();

  constructor(options: ProofVerifierOptions) {
    this.audience = options.audience;
    this.#lifetime = options.lifetime ?? 60;
    this.#skew = options.clockSkew ?? 60;
    // A proof first accepted at t has iat ≤ t + skew, so it is fresh at most
    // until iat + lifetime ≤ t + skew + lifetime: its id is kept that long.
    const retentionMs = (this.#lifetime + this.#skew) * 1000;
    this.#replays = new ReplayCache(
      options.replayCacheSize ?? replayCacheCapacity(retentionMs),
      retentionMs,
    );
  }

  /** Throws WritError with the first failure; on success the proof's id is spent. */
  verify(proof: unknown, expected: ProofExpectation, now: number): ProofClaims {
    return this.spend(this.authenticate(proof, expected, now), expected, now);
  }

  /**
   * The first half of verify(), everything that needs neither the arguments'
   * hash nor the replay cache: the proof is well formed, signed by the key the
   * leaf hop is bound to, fresh, and for this guard, action and tool. A guard
   * runs it before hashing the arguments, so a caller without the session key
   * cannot make it hash megabytes before the refusal. Spends nothing.
   */
  authenticate(
    proof: unknown,
    expected: Pick<ProofExpectation, "action" | "tool" | "leaf">,
    now: number,
  ): ProofClaims {
    if (proof === undefined || proof === null || proof === "") {
      throw new WritError(
        "proof.missing",
        "The call carries no invocation proof; sign one with the session key.",
      );
    }
    if (typeof proof !== "string") throw malformed("must be a compact JWS string");
    if (proof.length > WRIT_LIMITS.proofBytes) {
      throw new WritError("proof.too_large", `The proof exceeds ${WRIT_LIMITS.proofBytes} bytes.`);
    }
    // Bounded split: a proof of nothing but dots costs no more than a real one.
    const parts = proof.split(".", 4);
    if (parts.length !== 3) throw malformed("is not a compact JWS");
    const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
    const key = this.#headerKey(headerPart);
    if (key.thumbprint !== expected.leaf.claims.cnf.jkt) {
      throw new WritError(
        "proof.key_mismatch",
        "The proof is not signed by the key the writ's leaf hop is bound to.",
      );
    }
    const signature = decodeBase64Url(signaturePart);
    // The signing input is the proof up to its second dot: a slice of it, not a new string.
    const signingInput = Buffer.from(proof.slice(0, headerPart.length + 1 + payloadPart.length));
    if (!signature || !key.verify(signingInput, signature)) {
      throw new WritError("proof.bad_signature", "The proof's signature does not verify.");
    }
    const claims = decodeClaims(payloadPart);
    const nowSeconds = now / 1000;
    if (nowSeconds - claims.iat > this.#lifetime) {
      throw new WritError(
        "proof.expired",
        `The proof is older than ${this.#lifetime} s; sign a fresh one per call.`,
      );
    }
    if (claims.iat > nowSeconds + this.#skew) {
      throw new WritError(
        "proof.not_yet_valid",
        "The proof is issued in the future; check the caller's clock.",
      );
    }
    if (claims.aud !== this.audience) {
      throw new WritError(
        "proof.wrong_audience",
        "The proof is meant for another guard or server.",
      );
    }
    if (claims.act !== expected.action)
      throw new WritError("proof.wrong_action", "The proof is for another action.");
    if (claims.tool !== expected.tool)
      throw new WritError("proof.wrong_tool", "The proof is for another tool.");
    this.#authenticated.add(claims);
    return claims;
  }

  /**
   * The second half of verify(): the authenticated proof was signed for these
   * arguments, this writ (and HTTP request), and was not used before; its id
   * is spent.
   */
  spend(
    claims: ProofClaims,
    expected: Pick<ProofExpectation, "argsHash" | "leaf" | "writ" | "http">,
    now: number,
  ): ProofClaims {
    // Claims this verifier did not authenticate could skip the signature check.
    if (!this.#authenticated.delete(claims))
      throw new TypeError("spend() takes the claims authenticate() returned, once.");
    if (claims.ahs !== expected.argsHash) {
      throw new WritError("proof.args_mismatch", "The proof was signed for other arguments.");
    }
    if (claims.wth !== expected.leaf.hash)
      throw new WritError("proof.wrong_writ", "The proof is for another writ.");
    if (expected.http) checkHttpBinding(claims, expected.http, expected.writ);
    const recorded = this.#replays.add(claims.jti, now);
    if (recorded === "replayed")
      throw new WritError("proof.replayed", "This proof was already used; sign one per call.");
    if (recorded === "full") {
      throw new WritError(
        "proof.replay_cache_full",
        "Too many proofs in the replay window to remember another; refusing rather than risking a replay.",
      );
    }
    return claims;
  }

  #headerKey(headerPart: string): PublicKey {
    const cached = this.#headerKeys.get(headerPart);
    if (cached) return cached;
    const bytes = decodeBase64Url(headerPart);
    const header = bytes && parseStrictJson(bytes.toString("utf8"));
    if (!isPlainObject(header)) throw malformed("header is not a JSON object");
    const fail = (problem: string) =>
      new WritError("proof.bad_header", `The proof header ${problem}.`);
    if (header.alg !== ALGORITHM) throw fail(`must have alg "${ALGORITHM}"`);
    if (header.typ !== PROOF_TYPE) throw fail(`must have typ "${PROOF_TYPE}"`);
    for (const member of Object.keys(header)) {
      if (!PROOF_HEADER.has(member)) throw fail(`must not carry "${member}" (only alg, typ, jwk)`);
    }
    let key: PublicKey;
    try {
      key = importHeaderKey(header.jwk);
    } catch {
      throw fail('must carry the session\'s Ed25519 public key in "jwk" (kty, crv, x only)');
    }
    this.#headerKeys.set(headerPart, key);
    return key;
  }
}

const REQUIRED_TEXT_CLAIMS = ["aud", "act", "tool", "ahs", "wth"] as const;

function decodeClaims(payloadPart: string): ProofClaims {
  const bytes = decodeBase64Url(payloadPart);
  const claims = bytes && parseStrictJson(bytes.toString("utf8"));
  if (!isPlainObject(claims)) throw malformed("payload is not a JSON object");
  for (const name of Object.keys(claims)) {
    if (!PROOF_CLAIMS.has(name)) throw malformed(`has the unknown claim "${name}"`);
  }
  const { jti, iat } = claims;
  if (typeof jti !== "string" || jti.length === 0 || jti.length > 128)
    throw malformed('needs a "jti"');
  if (!Number.isSafeInteger(iat)) throw malformed('needs "iat" in seconds');
  for (const name of REQUIRED_TEXT_CLAIMS) {
    if (typeof claims[name] !== "string") throw malformed(`needs "${name}"`);
  }
  for (const name of ["htm", "htu", "ath"] as const) {
    if (claims[name] !== undefined && typeof claims[name] !== "string")
      throw malformed(`"${name}" must be a string`);
  }
  return claims as unknown as ProofClaims;
}

function checkHttpBinding(
  claims: ProofClaims,
  http: { method: string; url: string },
  writ: string,
): void {
  if (claims.htm !== http.method.toUpperCase() || claims.htu !== httpTargetUri(http.url)) {
    throw new WritError(
      "proof.wrong_audience",
      "The proof is bound to another HTTP method or URL.",
    );
  }
  if (claims.ath !== sha256Base64Url(writ))
    throw new WritError("proof.wrong_writ", "The proof's ath names another writ.");
}

function malformed(problem: string): WritError {
  return new WritError("proof.malformed", `The proof ${problem}.`);
}
