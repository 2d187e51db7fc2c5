import { type Clock, numericDate, type RandomSource, systemClock, systemRandom } from "../clock.js";
import { sha256Base64Url } from "../encoding/sha256.js";
import type { KeyPair } from "../keys/key-pair.js";
import { signCompactJws } from "../writ/jws.js";
import { ALGORITHM, PROOF_TYPE } from "../writ/limits.js";
import { mintJti } from "../writ/mint-hop.js";
import type { Writ } from "../writ/writ.js";
import { argumentsHash } from "./arguments-hash.js";
import type { ProofClaims, ProofSubject } from "./proof-claims.js";

/** Signs the per-call proof with the leaf key: it binds the call's audience, action, tool and arguments to the writ. */
export function createProof(
  writ: Writ,
  key: KeyPair,
  subject: ProofSubject,
  options: { readonly clock?: Clock; readonly random?: RandomSource } = {},
): string {
  const claims: ProofClaims = {
    jti: mintJti(options.random ?? systemRandom),
    iat: numericDate(options.clock ?? systemClock),
    aud: subject.audience,
    act: subject.action,
    tool: subject.tool,
    ahs: argumentsHash(subject.args),
    wth: writ.leaf.hash,
    ...(subject.http
      ? {
          htm: subject.http.method.toUpperCase(),
          htu: httpTargetUri(subject.http.url),
          ath: sha256Base64Url(writ.toString()),
        }
      : {}),
  };
  return signCompactJws({ alg: ALGORITHM, typ: PROOF_TYPE, jwk: key.publicJwk }, claims, key);
}

/** RFC 9449 §4.2: the htu claim is the target URI without query and fragment. */
export function httpTargetUri(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
