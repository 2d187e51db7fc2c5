/// <reference path="./oidc-provider.d.ts" />

import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { JWK } from "jose";
import Provider, { errors } from "oidc-provider";
import { followAuthorization } from "../../../../test/support/oidc-interactions.js";

/** The downstream API the test provider issues tokens for (RFC 8707 resource indicator). */
export const API_RESOURCE = "https://mail.example.test/";
export const API_SCOPES = ["calendar.read", "mail.read", "mail.send"] as const;
export const CLIENT_ID = "writ-broker";
export const CLIENT_SECRET = "test-client-secret-0123456789";
export const REDIRECT_URI = "http://127.0.0.1:9/connected";

export interface TestAuthorizationServer {
  readonly issuer: string;
  /** The public key the provider signs JWT access tokens with. */
  readonly publicJwk: JWK;
  /** Requests that reached each path (e.g. `/token`, `/token/revocation`). */
  requests(path: string): number;
  /** Grants the provider revoked (through revocation, or reuse of a rotated refresh token). */
  readonly revokedGrants: readonly string[];
  /**
   * Drives the provider's real interaction endpoints (login and consent
   * forms, as a browser would) from an authorization URL to the redirect
   * back, and returns the URL the user's browser lands on.
   */
  approve(authorizationUrl: string, account: string): Promise<URL>;
  /** Forgets every grant, as a provider does when a user removes an app: refresh tokens then get invalid_grant. */
  dropGrants(): Promise<void>;
  /** Stops answering (connections are refused); `start()` serves again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

/**
 * A real oidc-provider on loopback as the downstream API's authorization
 * server: a confidential client, the authorization code flow with PKCE,
 * resource indicators (ES256 JWT access tokens for API_RESOURCE), refresh
 * tokens rotated on every use, and RFC 7009 revocation.
 */
export async function startTestAuthorizationServer(
  options: { readonly accessTokenTtl?: number } = {},
): Promise<TestAuthorizationServer> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const signingKey = { ...privateKey.export({ format: "jwk" }), kid: "es256", alg: "ES256" };
  const counts = new Map<string, number>();
  const grants = new Set<string>();
  const revokedGrants: string[] = [];
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [REDIRECT_URI],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    clientDefaults: { id_token_signed_response_alg: "ES256" },
    features: {
      devInteractions: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx: unknown, _client: unknown, oneOf?: string) => oneOf,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, indicator: string) => {
          if (indicator !== API_RESOURCE) throw new errors.InvalidTarget();
          return {
            scope: API_SCOPES.join(" "),
            audience: API_RESOURCE,
            accessTokenTTL: options.accessTokenTtl ?? 300,
            accessTokenFormat: "jwt",
            jwt: { sign: { alg: "ES256" } },
          };
        },
      },
    },
    // Plain OAuth 2.0 (no openid): a refresh token for every client allowed one.
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) =>
      client.grantTypeAllowed("refresh_token"),
    rotateRefreshToken: true,
    pkce: { required: () => true },
    cookies: { keys: [randomBytes(32).toString("hex")] },
    jwks: { keys: [signingKey] },
    ttl: {
      AccessToken: options.accessTokenTtl ?? 300,
      AuthorizationCode: 60,
      Grant: 86_400,
      Interaction: 600,
      RefreshToken: 86_400,
      Session: 3600,
    },
    findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
  });
  provider.on("grant.saved", (grant: { jti: string }) => grants.add(grant.jti));
  provider.on("grant.revoked", (_ctx: unknown, grantId: string) => revokedGrants.push(grantId));
  const handle = provider.callback();
  server.on("request", (request, response) => {
    const path = new URL(request.url ?? "/", issuer).pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    handle(request, response);
  });

  const approve = (authorizationUrl: string, account: string): Promise<URL> =>
    followAuthorization({ issuer, authorizationUrl, account, redirectUri: REDIRECT_URI });

  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });

  return {
    issuer,
    publicJwk: { ...(publicKey.export({ format: "jwk" }) as JWK), kid: "es256", alg: "ES256" },
    requests: (path) => counts.get(path) ?? 0,
    revokedGrants,
    approve,
    dropGrants: async () => {
      for (const id of grants) await (await provider.Grant.find(id))?.destroy();
    },
    stop,
    start: () => new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve)),
  };
}
