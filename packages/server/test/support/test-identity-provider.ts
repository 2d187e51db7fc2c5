/// <reference path="../../../broker/test/support/oidc-provider.d.ts" />

import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

/**
 * A real OpenID provider (oidc-provider) on loopback, with its own login and
 * consent pages: every login name signs in as `<name>@example.com`.
 */
export async function startTestIdentityProvider(options: {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
}): Promise<{ readonly issuer: string; close(): Promise<void> }> {
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const client = {
    client_id: options.clientId,
    client_secret: options.clientSecret,
    redirect_uris: [...options.redirectUris],
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_post",
    id_token_signed_response_alg: "ES256",
  };
  const provider = new Provider(issuer, {
    clients: [client],
    scopes: ["openid", "email", "profile"],
    claims: { openid: ["sub"], email: ["email", "email_verified"] },
    conformIdTokenClaims: false,
    cookies: { keys: [randomBytes(32).toString("hex")] },
    jwks: {
      keys: [{ ...privateKey.export({ format: "jwk" }), kid: "k", alg: "ES256", use: "sig" }],
    },
    findAccount: (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: () => ({ sub: id, email: `${id}@example.com`, email_verified: true }),
    }),
  });
  http.on("request", provider.callback());
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}
