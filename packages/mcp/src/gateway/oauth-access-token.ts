import type { IssuerKeys } from "@writ/core";
import { WritError } from "@writ/core";

/**
 * The Writ server acting as this gateway's OAuth authorization server (the
 * MCP authorization spec): its issuer identifier, listed in the protected
 * resource metadata, and the keys its access tokens are signed with (the
 * issuer keys of its store, as guards pin them: `fetchIssuerKeys()` or
 * `store.issuerKeys()`).
 */
export interface AuthorizationServerTrust {
  /** The authorization server's issuer identifier: its URL, exactly as its metadata and tokens carry it. */
  readonly issuer: string;
  readonly keys: IssuerKeys;
}

/** What an access token vouches for, once verified. */
export interface AccessTokenGrant {
  /** The server-held writ the token refers to, bound to the gateway's key. */
  readonly writ: string;
  /** The OAuth client the token was issued to. */
  readonly clientId: string;
  /** RFC 9449: the thumbprint of the key the client must prove possession of, when the token is DPoP-bound. */
  readonly dpopJkt: string | undefined;
}

const MAX_TOKEN_BYTES = 32 * 1024;
const CLOCK_SKEW_S = 60;

/** Whether a credential is an RFC 9068 access token (`typ: at+jwt`) rather than a writ. */
export function isAccessToken(token: string): boolean {
  const [header] = token.split(".", 1);
  try {
    const parsed = JSON.parse(Buffer.from(header ?? "", "base64url").toString("utf8")) as unknown;
    return isObject(parsed) && parsed.typ === "at+jwt";
  } catch {
    return false;
  }
}

/**
 * Verifies an access token the authorization server issued for this gateway
 * (RFC 9068): EdDSA signed by one of its keys, `typ: at+jwt`, its issuer,
 * this gateway as audience (RFC 8707: a token for another resource is
 * refused), unexpired, carrying the writ it stands for. Throws a WritError
 * (`access_token.*`): the gateway answers 401 `invalid_token`. Live state
 * (revocation of the client, the user or the consent) is checked on the
 * writ by the guard, on every request.
 */
export function verifyAccessToken(
  token: string,
  trust: AuthorizationServerTrust,
  resource: string,
  now: number,
): AccessTokenGrant {
  if (token.length > MAX_TOKEN_BYTES) {
    throw new WritError("oauth.token_invalid", "The access token is too large.");
  }
  const parts = token.split(".");
  if (parts.length !== 3) {
    throw new WritError("oauth.token_invalid", "The access token is not a compact JWS.");
  }
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  const header = decodeSegment(encodedHeader);
  if (header.alg !== "EdDSA" || header.typ !== "at+jwt" || typeof header.kid !== "string") {
    throw new WritError(
      "oauth.token_invalid",
      "The access token's header is not an EdDSA at+jwt with a kid.",
    );
  }
  if ("crit" in header || "jku" in header || "jwk" in header || "x5u" in header) {
    throw new WritError(
      "oauth.token_invalid",
      "The access token's header has unsupported members.",
    );
  }
  const key = trust.keys.publicKey(header.kid);
  if (
    key === undefined ||
    !key.verify(
      Buffer.from(`${encodedHeader}.${encodedPayload}`, "ascii"),
      Buffer.from(encodedSignature, "base64url"),
    )
  ) {
    throw new WritError(
      "oauth.token_invalid",
      "The access token is not signed by the authorization server.",
    );
  }
  const claims = decodeSegment(encodedPayload);
  if (claims.iss !== trust.issuer) {
    throw new WritError("oauth.token_invalid", "The access token comes from another issuer.");
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(resource)) {
    throw new WritError(
      "oauth.token_wrong_audience",
      "The access token was issued for another resource; ask the authorization server for a token with this gateway as `resource`.",
    );
  }
  const seconds = Math.floor(now / 1000);
  if (typeof claims.exp !== "number" || claims.exp + CLOCK_SKEW_S <= seconds) {
    throw new WritError("oauth.token_expired", "The access token has expired; refresh it.");
  }
  if (typeof claims.writ !== "string" || typeof claims.client_id !== "string") {
    throw new WritError("oauth.token_invalid", "The access token carries no writ.");
  }
  const cnf = claims.cnf;
  const dpopJkt = isObject(cnf) && typeof cnf.jkt === "string" ? cnf.jkt : undefined;
  return { writ: claims.writ, clientId: claims.client_id, dpopJkt };
}

function decodeSegment(segment: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(Buffer.from(segment, "base64url").toString("utf8")) as unknown;
    if (isObject(parsed)) return parsed;
  } catch {
    // reported below
  }
  throw new WritError("oauth.token_invalid", "The access token is not valid JSON.");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
