import { WritError } from "@writ/core";
import type { ConsoleRole } from "@writ/store";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import * as oauth from "oauth4webapi";
import { type ClaimsMapping, mapClaims } from "../exchange/claims-mapping.js";
import type { IdentityProvider } from "../exchange/identity-provider.js";
import type { ConsoleOidcOptions } from "./console-options.js";
import { isSecure } from "./console-sessions.js";

const FLOW_COOKIE = "writ_oidc";
const FLOW_TTL_S = 600;
/** Where the provider sends people back after a console sign-in. */
export const CONSOLE_CALLBACK = "/console/oidc/callback";

/** One identity provider people sign in to the console with. */
export interface OidcSignIn {
  readonly index: number;
  readonly label: string;
  readonly options: ConsoleOidcOptions;
  readonly provider: IdentityProvider;
}

/**
 * Starts the authorization code flow with PKCE: the state, nonce and code
 * verifier travel in a short-lived HttpOnly cookie bound to this browser
 * (nothing is kept on the server, so any instance can finish the flow).
 */
export async function startOidcSignIn(
  c: Context,
  sign: OidcSignIn,
  callback = CONSOLE_CALLBACK,
): Promise<Response> {
  const { authorizationServer, client } = await discover(sign);
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const endpoint = authorizationServer.authorization_endpoint;
  if (!endpoint)
    throw new WritError("idp.unavailable", "The identity provider has no authorization endpoint.");
  const url = new URL(endpoint);
  url.searchParams.set("client_id", client.client_id);
  url.searchParams.set("redirect_uri", redirectUri(c, callback));
  url.searchParams.set("response_type", "code");
  url.searchParams.set("scope", "openid profile email");
  url.searchParams.set("state", state);
  url.searchParams.set("nonce", nonce);
  url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set("code_challenge_method", "S256");
  setCookie(c, FLOW_COOKIE, JSON.stringify([sign.index, state, nonce, verifier]), {
    httpOnly: true,
    secure: isSecure(c),
    sameSite: "Lax", // it must come back with the provider's redirect
    path: flowPath(callback),
    maxAge: FLOW_TTL_S,
  });
  return c.redirect(url.toString(), 302);
}

/**
 * Finishes the flow: the person the provider vouches for (its issuer and the
 * value of its user claim) and their console role, if they have one.
 */
export async function finishOidcSignIn(
  c: Context,
  providers: readonly OidcSignIn[],
  callback = CONSOLE_CALLBACK,
): Promise<{
  readonly issuer: string;
  readonly subject: string;
  readonly tenant: string | undefined;
  readonly role: ConsoleRole | undefined;
}> {
  const flow = parseFlow(getCookie(c, FLOW_COOKIE));
  deleteCookie(c, FLOW_COOKIE, { path: flowPath(callback), secure: isSecure(c) });
  const sign = flow && providers[flow.index];
  if (!flow || !sign) {
    throw new WritError(
      "token.invalid",
      "The sign-in expired or was started in another browser; start again.",
    );
  }
  const { authorizationServer, client, clientAuth } = await discover(sign);
  let params: URLSearchParams;
  try {
    params = oauth.validateAuthResponse(
      authorizationServer,
      client,
      new URL(c.req.url),
      flow.state,
    );
  } catch (error) {
    throw new WritError(
      "token.invalid",
      "The identity provider refused the sign-in or its answer did not match.",
      {},
      error,
    );
  }
  const response = await oauth.authorizationCodeGrantRequest(
    authorizationServer,
    client,
    clientAuth,
    params,
    redirectUri(c, callback),
    flow.verifier,
    { [oauth.allowInsecureRequests]: sign.provider.options.allowInsecureHttp === true },
  );
  let idToken: string | undefined;
  try {
    const result = await oauth.processAuthorizationCodeResponse(
      authorizationServer,
      client,
      response,
      {
        expectedNonce: flow.nonce,
        requireIdToken: true,
      },
    );
    idToken = result.id_token;
  } catch (error) {
    throw new WritError(
      "token.invalid",
      "The identity provider's token answer was refused.",
      {},
      error,
    );
  }
  // Verified again by the same code as token exchange: issuer, audience, algorithms, JWKS.
  const claims = await sign.provider.verify(idToken as string, "id_token");
  if (claims.nonce !== flow.nonce)
    throw new WritError("token.invalid", "The ID token's nonce does not match.");
  // The same checks as token exchange: a verified address in the provider's domains when the person is named by email.
  const { subject } = mapClaims(
    claims,
    sign.provider.options.claims as ClaimsMapping | undefined,
    sign.provider.options.emailDomains,
  );
  return {
    issuer: sign.provider.options.issuer,
    subject,
    tenant: sign.provider.options.tenant,
    role: roleOf(claims, sign.options.roles),
  };
}

function roleOf(
  claims: Record<string, unknown>,
  roles: ConsoleOidcOptions["roles"],
): ConsoleRole | undefined {
  const rank: Record<ConsoleRole, number> = { viewer: 1, approver: 2, admin: 3 };
  const value = roles.claim
    .split(".")
    .reduce<unknown>(
      (at, key) =>
        at !== null && typeof at === "object" ? (at as Record<string, unknown>)[key] : undefined,
      claims,
    );
  const values = typeof value === "string" ? [value] : Array.isArray(value) ? value : [];
  let best: ConsoleRole | undefined;
  for (const entry of values) {
    const role =
      typeof entry === "string" && Object.hasOwn(roles.map, entry) ? roles.map[entry] : undefined;
    if (role && (!best || rank[role] > rank[best])) best = role;
  }
  return best ?? roles.default;
}

async function discover(sign: OidcSignIn) {
  const options = sign.provider.options;
  const issuer = new URL(options.issuer);
  const insecure = { [oauth.allowInsecureRequests]: options.allowInsecureHttp === true };
  let authorizationServer: oauth.AuthorizationServer;
  try {
    authorizationServer = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, {
        algorithm: "oidc",
        ...insecure,
        signal: AbortSignal.timeout(5000),
      }),
    );
  } catch (error) {
    throw new WritError(
      "idp.unavailable",
      `The identity provider ${options.issuer} could not be reached.`,
      {},
      error,
    );
  }
  const client: oauth.Client = { client_id: options.clientId };
  const clientAuth =
    sign.options.clientSecret === undefined
      ? oauth.None()
      : oauth.ClientSecretPost(sign.options.clientSecret);
  return { authorizationServer, client, clientAuth };
}

/** This server's callback, as the browser sees it (https behind a TLS-terminating proxy). */
function redirectUri(c: Context, callback: string): string {
  const url = new URL(callback, c.req.url);
  if (isSecure(c)) url.protocol = "https:";
  return url.toString();
}

function parseFlow(
  cookie: string | undefined,
): { index: number; state: string; nonce: string; verifier: string } | undefined {
  try {
    const [index, state, nonce, verifier] = JSON.parse(cookie ?? "") as unknown[];
    if (
      typeof index === "number" &&
      typeof state === "string" &&
      typeof nonce === "string" &&
      typeof verifier === "string"
    ) {
      return { index, state, nonce, verifier };
    }
  } catch {
    // no flow: reported by the caller
  }
  return undefined;
}

/** The flow cookie goes only to the callback's folder. */
function flowPath(callback: string): string {
  return callback.slice(0, callback.lastIndexOf("/"));
}
