import { sha256Base64Url } from "../encoding/sha256.js";
import { WritError } from "../errors.js";
import { CompiledGrants } from "../grants/compiled-grants.js";
import { GRANT_LIMITS, type Grant } from "../grants/grant.js";
import { describeGrantIssue } from "../grants/grant-issue.js";
import { checkGrants, isPlainObject } from "../grants/validate-grants.js";
import { isPrincipalId } from "../keys/agent-identity.js";
import type { Ed25519PublicJwk } from "../keys/jwk.js";
import { importHeaderKey, type PublicKey } from "../keys/public-key.js";
import { decodeCompactJws } from "./jws.js";
import { ALGORITHM, WRIT_LIMITS, WRIT_TYPE } from "./limits.js";

/** The claims of one hop (DESIGN §2). */
export interface HopClaims {
  /** Issuer id (root) or the delegating agent id. */
  readonly iss: string;
  /** The user every hop acts for. */
  readonly sub: string;
  /** The agent this hop authorizes. */
  readonly aud: string;
  /** RFC 7638 thumbprint of the `aud` agent's key: only that key can prove calls or delegate further. */
  readonly cnf: { readonly jkt: string };
  /** Hash of the parent hop's signing input (absent on the root). */
  readonly prf?: string;
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
  readonly nbf?: number;
  readonly grants: readonly Grant[];
  /** Delegation depth still allowed below this hop. */
  readonly dmax: number;
  readonly tnt?: string;
}

export type HopHeader =
  | { readonly alg: "EdDSA"; readonly typ: "writ+jwt"; readonly kid: string }
  | { readonly alg: "EdDSA"; readonly typ: "writ+jwt"; readonly jwk: Ed25519PublicJwk };

/** One decoded hop. Decoding checks shape and bounds only; signatures are the verifier's job. */
export interface Hop {
  readonly index: number;
  readonly compact: string;
  readonly header: HopHeader;
  readonly claims: HopClaims;
  /** base64url SHA-256 of the signing input: what a child's `prf` and a proof's `wth` name. */
  readonly hash: string;
  readonly signingInput: string;
  readonly signature: Buffer;
  /** The delegating agent's key from the header (hops after the root). */
  readonly signerKey?: PublicKey;
  readonly grants: CompiledGrants;
}

const ROOT_HEADER = new Set(["alg", "typ", "kid"]);
const DELEGATED_HEADER = new Set(["alg", "typ", "jwk"]);
const CLAIMS = new Set([
  "iss",
  "sub",
  "aud",
  "cnf",
  "prf",
  "jti",
  "iat",
  "exp",
  "nbf",
  "grants",
  "dmax",
  "tnt",
]);
const JTI = /^[A-Za-z0-9_-]{1,128}$/;
const HASH = /^[A-Za-z0-9_-]{43}$/;

/** Decodes hop `index` of a writ, checking header and claim shapes. Throws WritError. */
export function decodeHop(compact: string, index: number): Hop {
  const jws = decodeCompactJws(compact);
  if (!jws) throw malformed(index, "is not a compact JWS with JSON header and payload");
  const { header, signerKey } = checkHeader(jws.header, index);
  const claims = checkClaims(jws.payload, index);
  return {
    index,
    compact,
    header,
    claims,
    hash: sha256Base64Url(jws.signingInput),
    signingInput: jws.signingInput,
    signature: jws.signature,
    ...(signerKey ? { signerKey } : {}),
    grants: new CompiledGrants(claims.grants),
  };
}

function checkHeader(
  header: Record<string, unknown>,
  index: number,
): { header: HopHeader; signerKey?: PublicKey } {
  const fail = (problem: string) =>
    new WritError("writ.bad_header", `Hop ${index} header ${problem}.`, { hop: index });
  if (header.alg !== ALGORITHM)
    throw fail(`must have alg "${ALGORITHM}" (Ed25519); other algorithms are refused`);
  if (header.typ !== WRIT_TYPE) throw fail(`must have typ "${WRIT_TYPE}"`);
  const allowed = index === 0 ? ROOT_HEADER : DELEGATED_HEADER;
  for (const member of Object.keys(header)) {
    if (!allowed.has(member)) {
      throw fail(
        `has "${member}", which a ${index === 0 ? "root hop (alg, typ, kid)" : "delegated hop (alg, typ, jwk)"} must not carry`,
      );
    }
  }
  if (index === 0) {
    if (typeof header.kid !== "string" || header.kid.length === 0 || header.kid.length > 128) {
      throw fail('must name the issuer key in "kid"');
    }
    return { header: header as HopHeader };
  }
  try {
    return { header: header as HopHeader, signerKey: importHeaderKey(header.jwk) };
  } catch {
    throw fail('must carry the delegating agent\'s Ed25519 public key in "jwk" (kty, crv, x only)');
  }
}

function checkClaims(payload: Record<string, unknown>, index: number): HopClaims {
  for (const claim of Object.keys(payload)) {
    if (!CLAIMS.has(claim)) throw malformed(index, `has the unknown claim "${claim}"`);
  }
  const { iss, sub, aud, cnf, prf, jti, iat, exp, nbf, grants, dmax, tnt } = payload;
  for (const [name, value] of [
    ["iss", iss],
    ["sub", sub],
    ["aud", aud],
  ] as const) {
    if (!isPrincipalId(value)) throw malformed(index, `needs an id in "${name}"`);
  }
  if (
    !isPlainObject(cnf) ||
    Object.keys(cnf).length !== 1 ||
    typeof cnf.jkt !== "string" ||
    !HASH.test(cnf.jkt)
  ) {
    throw malformed(index, 'needs "cnf": { "jkt": <key thumbprint> }');
  }
  if (index === 0 ? prf !== undefined : typeof prf !== "string" || !HASH.test(prf)) {
    throw malformed(
      index,
      index === 0 ? 'is a root and must not have "prf"' : 'needs "prf", the hash of its parent hop',
    );
  }
  if (typeof jti !== "string" || !JTI.test(jti))
    throw malformed(index, 'needs a "jti" (1–128 base64url characters)');
  for (const [name, value] of [
    ["iat", iat],
    ["exp", exp],
  ] as const) {
    if (!Number.isSafeInteger(value) || (value as number) < 0)
      throw malformed(index, `needs "${name}" in seconds`);
  }
  if (nbf !== undefined && (!Number.isSafeInteger(nbf) || (nbf as number) < 0)) {
    throw malformed(index, '"nbf" must be in seconds');
  }
  if (!Number.isSafeInteger(dmax) || (dmax as number) < 0 || (dmax as number) >= WRIT_LIMITS.hops) {
    throw malformed(index, `needs "dmax" between 0 and ${WRIT_LIMITS.hops - 1}`);
  }
  if (tnt !== undefined && !isPrincipalId(tnt)) {
    throw malformed(index, '"tnt" must be a tenant id');
  }
  return { ...(payload as unknown as HopClaims), grants: checkHopGrants(grants, index) };
}

function checkHopGrants(grants: unknown, index: number): Grant[] {
  if (!Array.isArray(grants)) throw malformed(index, 'needs "grants", a list');
  if (grants.length > GRANT_LIMITS.grantsPerList) {
    throw new WritError(
      "writ.too_many_grants",
      `Hop ${index} has ${grants.length} grants; at most ${GRANT_LIMITS.grantsPerList} are accepted.`,
      { hop: index },
    );
  }
  grants.forEach((grant, position) => {
    const when = isPlainObject(grant) && isPlainObject(grant.when) ? grant.when : {};
    const constraints = Object.values(when).reduce<number>(
      (sum, constraint) => sum + (isPlainObject(constraint) ? Object.keys(constraint).length : 1),
      0,
    );
    if (constraints > GRANT_LIMITS.constraintsPerGrant) {
      throw new WritError(
        "writ.too_many_constraints",
        `Hop ${index}, grant ${position} has ${constraints} constraints; at most ${GRANT_LIMITS.constraintsPerGrant} are accepted.`,
        { hop: index, grant: position },
      );
    }
  });
  const checked = checkGrants(grants);
  if ("issue" in checked)
    throw malformed(index, `has an invalid grant: ${describeGrantIssue(checked.issue)}`);
  return checked.grants;
}

function malformed(index: number, problem: string): WritError {
  return new WritError("writ.malformed", `Hop ${index} ${problem}.`, { hop: index });
}
