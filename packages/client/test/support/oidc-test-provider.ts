import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";
import { followAuthorization } from "../../../../test/support/oidc-interactions.js";

export interface TestAccount {
  readonly email: string;
  /** Whether the provider vouches for the address (`email_verified`). Default true. */
  readonly emailVerified?: boolean;
  readonly groups: readonly string[];
}

export interface TestProvider {
  readonly issuer: string;
  /** Signs `account` in through the real authorization code flow (login and consent forms, PKCE) and returns the ID token. */
  signIn(clientId: string, account: string): Promise<string>;
  close(): Promise<void>;
}

const REDIRECT_URI = "http://127.0.0.1:9/callback";
const SECRET = "test-client-secret";

/**
 * A real oidc-provider on loopback with its development interactions (the
 * login and consent pages), two confidential clients, and accounts whose ID
 * tokens carry `email`, `email_verified` and `groups`.
 */
export async function startTestProvider(options: {
  readonly clients: readonly string[];
  readonly accounts: Readonly<Record<string, TestAccount>>;
}): Promise<TestProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const signingKey = {
    ...privateKey.export({ format: "jwk" }),
    kid: "test-es256",
    alg: "ES256",
    use: "sig",
  };
  const provider = new Provider(issuer, {
    clients: options.clients.map((clientId) => ({
      client_id: clientId,
      client_secret: SECRET,
      redirect_uris: [REDIRECT_URI],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
      id_token_signed_response_alg: "ES256",
    })),
    scopes: ["openid", "email", "groups"],
    claims: { openid: ["sub"], email: ["email", "email_verified"], groups: ["groups"] },
    // Put the claims the scopes ask for into the ID token itself, as enterprise IdPs do for groups.
    conformIdTokenClaims: false,
    cookies: { keys: [randomBytes(32).toString("hex")] },
    jwks: { keys: [signingKey] },
    ttl: { IdToken: 3600, AccessToken: 3600, Session: 3600, Grant: 3600, Interaction: 600 },
    findAccount: (_ctx, id) => {
      const account = options.accounts[id];
      if (!account) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: id,
          email: account.email,
          email_verified: account.emailVerified ?? true,
          groups: [...account.groups],
        }),
      };
    },
  });
  server.on("request", provider.callback());

  async function signIn(clientId: string, account: string): Promise<string> {
    const verifier = randomBytes(32).toString("base64url");
    const authorize = new URL("/auth", issuer);
    authorize.search = new URLSearchParams({
      client_id: clientId,
      response_type: "code",
      scope: "openid email groups",
      redirect_uri: REDIRECT_URI,
      state: randomBytes(8).toString("hex"),
      nonce: randomBytes(8).toString("hex"),
      code_challenge: createHash("sha256").update(verifier).digest("base64url"),
      code_challenge_method: "S256",
    }).toString();
    const redirected = await followAuthorization({
      issuer,
      authorizationUrl: authorize.href,
      account,
      redirectUri: REDIRECT_URI,
    });
    const code = redirected.searchParams.get("code");
    if (!code) throw new Error(`The provider refused: ${redirected.search}`);
    const token = await fetch(new URL("/token", issuer), {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${clientId}:${SECRET}`).toString("base64")}`,
      },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
      }).toString(),
    });
    const body = (await token.json()) as { id_token?: string; error?: string };
    if (!body.id_token) throw new Error(`No ID token: ${JSON.stringify(body)}`);
    return body.id_token;
  }

  return {
    issuer,
    signIn,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
