import { constants, createPublicKey, type KeyObject, verify } from "node:crypto";
import { decodeBase64Url } from "../encoding/base64url.js";
import { sha256Base64Url } from "../encoding/sha256.js";
import { parseStrictJson } from "../encoding/strict-json.js";
import type { WritErrorCode } from "../error-registry.js";
import { WritError } from "../errors.js";
import { isPlainObject } from "../grants/validate-grants.js";
import { httpTargetUri } from "../proof/create-proof.js";
import { ReplayCache, replayCacheCapacity } from "../proof/replay-cache.js";

/** RFC 9449's media type of a DPoP proof (`typ`). */
export const DPOP_PROOF_TYPE = "dpop+jwt";

/**
 * The signature algorithms a DPoP proof may use: asymmetric only (RFC 9449
 * §4.2), the ones OAuth clients' libraries generate keys for (oauth4webapi's
 * default is ES256; Node and browsers also make Ed25519, RSA-PSS and RSA).
 */
export const DPOP_ALGORITHMS = ["ES256", "ES384", "EdDSA", "PS256", "RS256"] as const;
export type DpopAlgorithm = (typeof DPOP_ALGORITHMS)[number];

export interface DpopProofVerifierOptions {
  /** How long a proof is accepted after its iat, in seconds. Default 60. */
  readonly lifetime?: number;
  /** Tolerated clock skew for a proof issued "in the future", in seconds. Default 60. */
  readonly clockSkew?: number;
  /** Proof ids remembered for replay detection. Default: sized like the invocation proofs' (10,000 a second over the window). */
  readonly replayCacheSize?: number;
}

/** The request a DPoP proof must be bound to. */
export interface DpopExpectation {
  /** The request's method (`htm`). */
  readonly method: string;
  /** The request's URL as its server knows itself publicly (`htu`: query and fragment are ignored). */
  readonly url: string;
  /** At a resource: the access token the request carries; the proof's `ath` must be its hash. */
  readonly accessToken?: string;
  /** At a resource: the token's `cnf.jkt`; the proof must be signed by that key. */
  readonly thumbprint?: string;
}

/** A proof that verified: the RFC 7638 thumbprint of the key that signed it. */
export interface VerifiedDpopProof {
  readonly thumbprint: string;
}

const MAX_PROOF_BYTES = 8 * 1024;
const MAX_JTI_LENGTH = 256;
const MIN_RSA_BITS = 2048;

/** Each algorithm's key type and curve, and how node:crypto checks its signature. */
const ALGORITHMS: Record<
  DpopAlgorithm,
  {
    readonly kty: "EC" | "OKP" | "RSA";
    readonly crv?: string;
    readonly digest: string | null;
    readonly options: {
      readonly dsaEncoding?: "ieee-p1363";
      readonly padding?: number;
      readonly saltLength?: number;
    };
  }
> = {
  ES256: { kty: "EC", crv: "P-256", digest: "sha256", options: { dsaEncoding: "ieee-p1363" } },
  ES384: { kty: "EC", crv: "P-384", digest: "sha384", options: { dsaEncoding: "ieee-p1363" } },
  EdDSA: { kty: "OKP", crv: "Ed25519", digest: null, options: {} },
  PS256: {
    kty: "RSA",
    digest: "sha256",
    options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
  },
  RS256: { kty: "RSA", digest: "sha256", options: {} },
};

/** RFC 7638: the members of each key type a thumbprint covers, in lexicographic order. */
const THUMBPRINT_MEMBERS = {
  EC: ["crv", "kty", "x", "y"],
  OKP: ["crv", "kty", "x"],
  RSA: ["e", "kty", "n"],
} as const;

/** Members that make a JWK private: a proof's key must be public (RFC 9449 §4.2). */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/**
 * Verifies RFC 9449 DPoP proofs, as an authorization server's token endpoint
 * and a resource server check them: a `dpop+jwt` signed with an allowed
 * asymmetric algorithm by the public key in its header, bound to the request
 * (`htm`, `htu`), recent (`iat`), used once (`jti`), and at a resource bound to
 * the access token (`ath`) and to the token's key (`cnf.jkt`). Synchronous,
 * on node:crypto; throws a WritError (`dpop.*`) naming what is wrong.
 */
export class DpopProofVerifier {
  readonly #lifetime: number;
  readonly #skew: number;
  readonly #replays: ReplayCache;

  constructor(options: DpopProofVerifierOptions = {}) {
    this.#lifetime = options.lifetime ?? 60;
    this.#skew = options.clockSkew ?? 60;
    // A proof first accepted at t has iat ≤ t + skew, so it stays fresh until
    // at most t + skew + lifetime: its id is kept that long.
    const retentionMs = (this.#lifetime + this.#skew) * 1000;
    this.#replays = new ReplayCache(
      options.replayCacheSize ?? replayCacheCapacity(retentionMs),
      retentionMs,
    );
  }

  /** Verifies `proof` (the `DPoP` header's value) for this request at `now` (epoch ms). */
  verify(proof: string | undefined, expected: DpopExpectation, now: number): VerifiedDpopProof {
    if (proof === undefined || proof === "") {
      throw new WritError("dpop.missing", "This request needs a DPoP proof in the DPoP header.");
    }
    if (proof.length > MAX_PROOF_BYTES) fail("dpop.malformed", "The DPoP proof is too large.");
    const parts = proof.split(".");
    if (parts.length !== 3) fail("dpop.malformed", "The DPoP proof is not a compact JWS.");
    const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
    const header = decodeJson(encodedHeader);
    if (header.typ !== DPOP_PROOF_TYPE) {
      fail("dpop.malformed", `The DPoP proof's typ must be "${DPOP_PROOF_TYPE}".`);
    }
    if (typeof header.alg !== "string" || !Object.hasOwn(ALGORITHMS, header.alg)) {
      fail("dpop.malformed", `The DPoP proof's alg must be one of ${DPOP_ALGORITHMS.join(", ")}.`);
    }
    const algorithm = ALGORITHMS[header.alg as DpopAlgorithm];
    for (const member of ["crit", "jku", "x5u", "x5c", "kid"]) {
      if (member in header) {
        fail("dpop.malformed", `The DPoP proof's header may not carry ${member}; only its jwk.`);
      }
    }
    const { key, thumbprint } = importProofKey(header.jwk, algorithm);
    const signature = decodeBase64Url(encodedSignature);
    const signed = Buffer.from(`${encodedHeader}.${encodedPayload}`, "ascii");
    if (
      signature === undefined ||
      !verify(algorithm.digest, signed, { key, ...algorithm.options }, signature)
    ) {
      fail("dpop.bad_signature", "The DPoP proof's signature does not verify with its jwk.");
    }
    const claims = decodeJson(encodedPayload);
    const { jti, iat, htm, htu } = claims;
    if (typeof jti !== "string" || jti.length === 0 || jti.length > MAX_JTI_LENGTH) {
      fail("dpop.malformed", `The DPoP proof needs a jti of 1 to ${MAX_JTI_LENGTH} characters.`);
    }
    if (typeof iat !== "number" || !Number.isFinite(iat)) {
      fail("dpop.malformed", "The DPoP proof needs a numeric iat.");
    }
    if (typeof htm !== "string" || typeof htu !== "string" || !URL.canParse(htu)) {
      fail("dpop.malformed", "The DPoP proof needs htm (the method) and htu (the URL).");
    }
    if (
      htm !== expected.method.toUpperCase() ||
      httpTargetUri(htu) !== httpTargetUri(expected.url)
    ) {
      fail("dpop.wrong_request", "The DPoP proof was made for another method or URL (htm, htu).");
    }
    const seconds = now / 1000;
    if (iat < seconds - this.#lifetime || iat > seconds + this.#skew) {
      fail(
        "dpop.stale",
        `The DPoP proof's iat is not within ${this.#lifetime} s of now; sign a new one.`,
      );
    }
    if (
      expected.accessToken !== undefined &&
      claims.ath !== sha256Base64Url(expected.accessToken)
    ) {
      fail("dpop.wrong_token", "The DPoP proof's ath is not the hash of the access token sent.");
    }
    if (expected.thumbprint !== undefined && thumbprint !== expected.thumbprint) {
      fail(
        "dpop.key_mismatch",
        "The DPoP proof is signed by another key than the token is bound to.",
      );
    }
    // Last: only a proof valid in every other respect spends its id.
    const seen = this.#replays.add(`${thumbprint} ${jti}`, now);
    if (seen === "replayed")
      fail("dpop.replayed", "This DPoP proof was used before; sign a new one per request.");
    if (seen === "full") {
      fail(
        "dpop.replay_cache_full",
        "Too many DPoP proofs in the replay window to remember another; try again shortly.",
      );
    }
    return { thumbprint };
  }
}

/** The RFC 7638 thumbprint of a public JWK of an allowed key type. */
export function dpopKeyThumbprint(jwk: Readonly<Record<string, unknown>>): string {
  const members = THUMBPRINT_MEMBERS[jwk.kty as keyof typeof THUMBPRINT_MEMBERS];
  if (members === undefined) throw new TypeError("A DPoP key is an EC, OKP or RSA public JWK.");
  const canonical = members.map((name) => `${JSON.stringify(name)}:${JSON.stringify(jwk[name])}`);
  return sha256Base64Url(`{${canonical.join(",")}}`);
}

function importProofKey(
  jwk: unknown,
  algorithm: (typeof ALGORITHMS)[DpopAlgorithm],
): { readonly key: KeyObject; readonly thumbprint: string } {
  if (!isPlainObject(jwk) || jwk.kty !== algorithm.kty) {
    fail(
      "dpop.malformed",
      `The DPoP proof's header needs the public jwk of a ${algorithm.kty} key for its alg.`,
    );
  }
  if (PRIVATE_MEMBERS.some((member) => member in jwk)) {
    fail(
      "dpop.malformed",
      "The DPoP proof's jwk holds private key material; send the public key only.",
    );
  }
  const members = THUMBPRINT_MEMBERS[algorithm.kty];
  if (members.some((name) => typeof jwk[name] !== "string")) {
    fail("dpop.malformed", `The DPoP proof's jwk needs ${members.join(", ")}.`);
  }
  if (algorithm.crv !== undefined && jwk.crv !== algorithm.crv) {
    fail("dpop.malformed", `The DPoP proof's alg needs a ${algorithm.crv} key.`);
  }
  let key: KeyObject;
  try {
    key = createPublicKey({
      key: Object.fromEntries(members.map((name) => [name, jwk[name]])),
      format: "jwk",
    });
  } catch {
    // Fail closed: a key node:crypto cannot import is not a key.
    return fail("dpop.malformed", "The DPoP proof's jwk is not a valid public key.");
  }
  if (algorithm.kty === "RSA" && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) {
    fail("dpop.malformed", `An RSA DPoP key has at least ${MIN_RSA_BITS} bits.`);
  }
  return { key, thumbprint: dpopKeyThumbprint(jwk) };
}

function decodeJson(segment: string): Record<string, unknown> {
  const bytes = decodeBase64Url(segment);
  const parsed = bytes === undefined ? undefined : parseStrictJson(bytes.toString("utf8"));
  if (!isPlainObject(parsed))
    fail("dpop.malformed", "The DPoP proof's parts are not JSON objects.");
  return parsed;
}

function fail(code: WritErrorCode, message: string): never {
  throw new WritError(code, message);
}
