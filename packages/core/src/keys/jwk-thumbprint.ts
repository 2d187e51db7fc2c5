import { sha256Base64Url } from "../encoding/sha256.js";
import type { Ed25519PublicJwk } from "./jwk.js";

/**
 * RFC 7638 thumbprint of an OKP key: SHA-256 over the required members
 * (crv, kty, x) in lexicographic order, with no whitespace.
 */
export function jwkThumbprint(jwk: Pick<Ed25519PublicJwk, "crv" | "kty" | "x">): string {
  return sha256Base64Url(
    `{"crv":${JSON.stringify(jwk.crv)},"kty":${JSON.stringify(jwk.kty)},"x":${JSON.stringify(jwk.x)}}`,
  );
}
