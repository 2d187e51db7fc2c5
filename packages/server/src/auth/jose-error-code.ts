import type { WritErrorCode } from "@writ/core";
import { errors } from "jose";

/** Maps a jose verification failure to Writ's token codes. */
export function joseErrorCode(error: unknown): WritErrorCode {
  if (error instanceof errors.JWTExpired) return "token.expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "iss") return "token.wrong_issuer";
    if (error.claim === "aud") return "token.wrong_audience";
    if (error.claim === "nbf" || (error.claim === "iat" && error.reason === "check_failed"))
      return "token.not_yet_valid";
    return "token.invalid";
  }
  if (error instanceof errors.JWKSTimeout) return "idp.unavailable";
  if (error instanceof errors.JOSEError) return "token.invalid";
  // Fetching the JWKS failed (network, HTTP status): the provider cannot be reached.
  return "idp.unavailable";
}
