import { mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  closeServer,
  everythingServer,
  freePort,
  loopbackServer,
} from "../../mcp/test/gateway-fixture.js";
import {
  connectThroughOAuth,
  consentInBrowser,
  MemoryOAuthProvider,
} from "../../mcp/test/oauth-client.js";
import { type Browser, launchChromium, type Page } from "../../server/test/support/browser.js";
import { startTestIdentityProvider } from "../../server/test/support/test-identity-provider.js";
import { type BackgroundWrit, startWrit, writ } from "./support/run-writ.js";

/**
 * Stock MCP clients in front of a project run with the CLI alone: `writ
 * serve` is the OAuth authorization server (the config's "oauth"), `writ
 * gateway` takes its access tokens, and the two agree on the gateway's key
 * without anyone writing one. The client is the MCP SDK's OAuth provider; the
 * person signs in and consents in a real browser.
 */
describe("a project whose writ serve is its writ gateway's OAuth authorization server", {
  timeout: 240_000,
}, () => {
  let cwd: string;
  let serverUrl: string;
  let gatewayUrl: string;
  let callbackUrl: string;
  let callbackServer: Server;
  let idp: Awaited<ReturnType<typeof startTestIdentityProvider>>;
  let server: BackgroundWrit;
  let gateway: BackgroundWrit;
  let browser: Browser;
  let page: Page;

  async function run(...args: string[]) {
    const result = await writ(args, { cwd });
    expect(result.code, result.stderr).toBe(0);
    return result;
  }

  beforeAll(async () => {
    cwd = realpathSync(mkdtempSync(join(tmpdir(), "writ-oauth-project-")));
    await run("init");
    serverUrl = `http://127.0.0.1:${await freePort()}`;
    gatewayUrl = `http://127.0.0.1:${await freePort()}/mcp`;
    idp = await startTestIdentityProvider({
      clientId: "writ",
      clientSecret: "writ-secret",
      redirectUris: [`${serverUrl}/oauth/sign-in/callback`],
    });
    const callback = await loopbackServer();
    callbackServer = callback.server;
    callbackServer.on("request", (_req, res) => res.end("You may close this window."));
    callbackUrl = `${callback.origin}/callback`;

    const configFile = join(cwd, ".writ", "config.json");
    const config = JSON.parse(readFileSync(configFile, "utf8")) as Record<string, unknown>;
    writeFileSync(
      configFile,
      JSON.stringify({
        ...config,
        tokenExchange: {
          identityProviders: [
            {
              issuer: idp.issuer,
              clientId: "writ",
              allowInsecureHttp: true,
              claims: { user: "email" },
              emailDomains: ["example.com"],
            },
          ],
        },
        console: {
          oidc: [
            {
              issuer: idp.issuer,
              clientSecret: "writ-secret",
              label: "Sign in with Example",
              roles: { claim: "groups", map: {} },
            },
          ],
        },
        oauth: { issuer: serverUrl },
        gateway: {
          resource: gatewayUrl,
          upstreams: {
            everything: everythingServer(),
          },
        },
      }),
    );
    await run("users", "put", "alice", "--grants", "everything.echo; everything.get-sum");
    await run("users", "link", "alice", "--issuer", idp.issuer, "--subject", "alice@example.com");
    server = await startWrit(["serve", "--port", new URL(serverUrl).port, "--json"], { cwd });
    gateway = await startWrit(["gateway", "--json"], { cwd });
    browser = await launchChromium();
    page = await browser.newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await server?.stop();
    await idp?.close();
    if (callbackServer) await closeServer(callbackServer);
    rmSync(cwd, { recursive: true, force: true });
  });

  it("the SDK's OAuth client signs in, consents, and calls through the gateway, each call decided and recorded", async () => {
    const metadata = (await (
      await fetch(`${new URL(gatewayUrl).origin}/.well-known/oauth-protected-resource/mcp`)
    ).json()) as { authorization_servers: string[] };
    expect(metadata.authorization_servers).toContain(serverUrl);

    const { client, back } = await connectThroughOAuth(
      gatewayUrl,
      new MemoryOAuthProvider(callbackUrl),
      (authorizationUrl) => consentInBrowser(page, authorizationUrl, ["everything.get-sum"]),
    );
    expect(back.searchParams.get("iss")).toBe(serverUrl);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(["echo"]);
    const echoed = await client.callTool({ name: "echo", arguments: { message: "from the desk" } });
    expect(JSON.stringify(echoed.content)).toContain("from the desk");
    await client.close();

    const decisions = JSON.parse(
      (await run("audit", "query", "--kind", "decision", "--json")).stdout,
    ) as {
      records: { tool?: string; user?: string; reason?: string; chain?: { agents: string[] } }[];
    };
    const echo = decisions.records.find((row) => row.tool === "echo");
    expect(echo).toMatchObject({ user: "alice", reason: "granted" });
    expect(echo?.chain?.agents).toEqual([
      expect.stringMatching(/^mcp-client-/),
      expect.stringMatching(/^mcp-gateway-/),
    ]);
  });

  it("keeps the gateway's key in the project, owner-only, so tokens and its JWKS outlive a restart", async () => {
    const keyFile = join(cwd, ".writ", "gateway-key.jwk");
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const jwks = (await (
      await fetch(`${new URL(gatewayUrl).origin}/.well-known/jwks.json`)
    ).json()) as { keys: { x: string }[] };
    const { x } = JSON.parse(readFileSync(keyFile, "utf8")) as { x: string };
    expect(jwks.keys.map((key) => key.x)).toEqual([x]);
  });
});
