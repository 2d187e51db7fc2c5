import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from "@modelcontextprotocol/sdk/shared/auth.js";
import type { Page } from "../../server/test/support/browser.js";

/** The MCP SDK's own OAuth client provider contract, held in memory as a desktop client would on disk. */
export class MemoryOAuthProvider implements OAuthClientProvider {
  information: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  verifier = "";
  authorizationUrl: URL | undefined;
  constructor(readonly callback: string) {}
  get redirectUrl(): string {
    return this.callback;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: "SDK test client",
      redirect_uris: [this.callback],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
  }
  state(): string {
    return "client-state-1";
  }
  clientInformation() {
    return this.information;
  }
  saveClientInformation(information: OAuthClientInformationMixed): void {
    this.information = information;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens): void {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL): void {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }
  codeVerifier(): string {
    return this.verifier;
  }
}

/**
 * The person's part, in the browser: at the authorization URL, sign in at the
 * test identity provider (as `login`) if asked, untick `uncheck` on the
 * consent page, approve; returns the URL the client is sent back to (its
 * redirect URI must contain `/callback`).
 */
export async function consentInBrowser(
  page: Page,
  authorizationUrl: URL,
  uncheck: readonly string[] = [],
  login = "alice",
): Promise<URL> {
  await page.goto(authorizationUrl.toString());
  const signIn = page.getByRole("link", { name: "Sign in with Example" });
  if ((await signIn.count()) > 0) {
    await signIn.click();
    // At the identity provider: its login form the first time, its consent, or straight back.
    const consent = page.getByRole("heading", { name: "to act for you?" });
    for (;;) {
      await page.locator('input[name="login"], button[type="submit"]').first().waitFor();
      if ((await consent.count()) > 0) break;
      if ((await page.locator('input[name="login"]').count()) > 0) {
        await page.locator('input[name="login"]').fill(login);
        await page.locator('input[name="password"]').fill("any");
      }
      await page.locator('button[type="submit"]').click();
    }
  }
  await page.getByRole("heading", { name: "Allow SDK test client to act for you?" }).waitFor();
  for (const text of uncheck) {
    await page.getByRole("checkbox", { name: text }).click();
  }
  await page.getByRole("button", { name: "Approve" }).click();
  await page.waitForURL(/\/callback\?/);
  return new URL(page.url());
}

/**
 * The MCP SDK's OAuth flow against a gateway: the first connection is
 * refused and sends the person to the authorization server, `consent` plays
 * the person and returns where the client is sent back to, the SDK redeems
 * the code, and a new client connects with its token.
 */
export async function connectThroughOAuth(
  gatewayUrl: string,
  provider: MemoryOAuthProvider,
  consent: (authorizationUrl: URL) => Promise<URL>,
): Promise<{ client: Client; back: URL }> {
  const transport = new StreamableHTTPClientTransport(new URL(gatewayUrl), {
    authProvider: provider,
  });
  await new Client({ name: "sdk-oauth", version: "1.0.0" }).connect(transport).then(
    () => {
      throw new Error("The gateway took a client without a token.");
    },
    (error: unknown) => {
      if (!/Unauthorized/.test(String(error))) throw error;
    },
  );
  const back = await consent(provider.authorizationUrl as URL);
  await transport.finishAuth(back.searchParams.get("code") as string);
  const client = new Client({ name: "sdk-oauth", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(gatewayUrl), { authProvider: provider }),
  );
  return { client, back };
}
