import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createGuard, type Guard, KeyPair } from "@writ/core";
import { createWritServer, type ListeningWritServer } from "@writ/server";
import { type StoreBackend, sqliteBackend } from "@writ/store";
import { exportJWK, SignJWT } from "jose";
import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, launchChromium, type Page } from "../../server/test/support/browser.js";
import { startTestIdentityProvider } from "../../server/test/support/test-identity-provider.js";
import { createGateway, type Gateway } from "../src/index.js";
import {
  closeServer,
  freePort,
  loopbackServer,
  postInitialize,
  RAW_INITIALIZE,
  serverBin,
} from "./gateway-fixture.js";
import { connectThroughOAuth, consentInBrowser, MemoryOAuthProvider } from "./oauth-client.js";

type DpopKeys = Awaited<ReturnType<typeof oauth.generateKeyPair>>;

/**
 * Stock MCP clients through the Writ server as the gateway's authorization
 * server: the MCP SDK's OAuth client provider registers, a person signs in at
 * a real identity provider and consents in a real browser (Debian's
 * chromium), and the client's access token is decided call by call by the
 * guard, in front of server-everything.
 */
describe("the gateway with the Writ server as its OAuth authorization server", {
  timeout: 240_000,
}, () => {
  let folder: string;
  let store: StoreBackend;
  let writ: ListeningWritServer;
  /** Stops the Writ server and starts it again on the same store and port. */
  let restartWrit: () => Promise<void>;
  let idp: Awaited<ReturnType<typeof startTestIdentityProvider>>;
  let guard: Guard;
  let gateway: Gateway;
  let gatewayServer: Server;
  let gatewayUrl: string;
  let callbackServer: Server;
  let callbackUrl: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), "writ-oauth-"));
    store = await sqliteBackend({ path: join(folder, "writ.db") });
    const writPort = await freePort();
    const writUrl = `http://127.0.0.1:${writPort}`;
    idp = await startTestIdentityProvider({
      clientId: "writ",
      clientSecret: "writ-secret",
      redirectUris: [`${writUrl}/oauth/sign-in/callback`],
    });
    await store.putUser({ id: "alice", permissions: "everything.echo; everything.get-sum" });
    await store.linkIdentity("alice", { issuer: idp.issuer, subject: "alice@example.com" });
    const { server, origin } = await loopbackServer();
    gatewayServer = server;
    gatewayUrl = `${origin}/mcp`;
    const signingKey = KeyPair.generate();
    const writOptions: Parameters<typeof createWritServer>[0] = {
      store,
      audience: writUrl,
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
      oauth: {
        issuer: writUrl,
        resources: [{ resource: gatewayUrl, key: signingKey.publicJwk }],
        // The metadata document below is served on loopback.
        clientMetadataDocuments: { allowPrivateAddresses: true },
      },
    };
    restartWrit = async () => {
      await writ?.close();
      writ = await (await createWritServer(writOptions)).listen({ port: writPort });
      // Connections kept alive to the server that stopped fail once each; then it answers.
      for (let attempt = 0; ; attempt++) {
        const answer = await fetch(`${writUrl}/healthz`).catch((error: unknown) => {
          if (attempt === 10) throw error;
        });
        if (answer?.ok) break;
      }
    };
    await restartWrit();
    guard = await createGuard({
      backend: store,
      issuer: await store.issuerKeys(),
      audience: gatewayUrl,
    });
    gateway = createGateway({
      guard,
      signingKey,
      authorizationServer: { issuer: writUrl, keys: await store.issuerKeys() },
      upstreams: {
        everything: { command: process.execPath, args: [serverBin("server-everything"), "stdio"] },
      },
    });
    gatewayServer.on("request", gateway.handle);
    await gateway.ready();
    // The client's redirect URI, and its Client ID Metadata Document.
    callbackServer = createServer((req, res) => {
      if (req.url !== "/client.json") return res.end("You may close this window.");
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({
          client_id: `${new URL(callbackUrl).origin}/client.json`,
          client_name: "SDK test client",
          redirect_uris: [callbackUrl],
        }),
      );
    });
    await new Promise<void>((resolve) => callbackServer.listen(0, "127.0.0.1", resolve));
    callbackUrl = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/callback`;
    browser = await launchChromium();
    page = await browser.newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    await guard?.close();
    if (gatewayServer) await closeServer(gatewayServer);
    if (callbackServer) await closeServer(callbackServer);
    await writ?.close();
    await idp?.close();
    await store?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  async function connect(provider: MemoryOAuthProvider): Promise<Client> {
    const client = new Client({ name: "sdk-oauth", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(gatewayUrl), { authProvider: provider }),
    );
    return client;
  }

  it("lists the server in its protected resource metadata and challenges with it", async () => {
    const metadata = (await (
      await fetch(`${new URL(gatewayUrl).origin}/.well-known/oauth-protected-resource/mcp`)
    ).json()) as { authorization_servers?: string[] };
    expect(metadata.authorization_servers).toEqual([writ.url]);
    const refused = await fetch(gatewayUrl, {
      method: "POST",
      headers: {
        accept: "application/json, text/event-stream",
        "content-type": "application/json",
      },
      body: "{}",
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toMatch(
      /^Bearer resource_metadata="[^"]+\/\.well-known\/oauth-protected-resource\/mcp"/,
    );
    const server = await (await fetch(`${writ.url}/.well-known/oauth-authorization-server`)).json();
    expect(server).toMatchObject({
      issuer: writ.url,
      code_challenge_methods_supported: ["S256"],
      authorization_response_iss_parameter_supported: true,
      dpop_signing_alg_values_supported: expect.arrayContaining(["ES256", "EdDSA"]),
    });
  });

  it("the SDK's OAuth provider registers, the person consents in a browser, and each call is decided by the guard", async () => {
    const provider = new MemoryOAuthProvider(callbackUrl);
    const transport = new StreamableHTTPClientTransport(new URL(gatewayUrl), {
      authProvider: provider,
    });
    await expect(
      new Client({ name: "sdk-oauth", version: "1.0.0" }).connect(transport),
    ).rejects.toThrow(/Unauthorized/);
    expect(provider.information?.client_id).toMatch(/^mcpc_/);
    const authorizationUrl = provider.authorizationUrl as URL;
    expect(authorizationUrl.searchParams.get("resource")).toBe(gatewayUrl);
    expect(authorizationUrl.searchParams.get("code_challenge_method")).toBe("S256");

    const back = await consentInBrowser(page, authorizationUrl, ["everything.get-sum"]);
    expect(back.searchParams.get("iss")).toBe(writ.url);
    expect(back.searchParams.get("state")).toBe("client-state-1");
    await transport.finishAuth(back.searchParams.get("code") as string);
    expect(provider.saved?.token_type).toBe("Bearer");

    const client = await connect(provider);
    const tools = await client.listTools();
    expect(tools.tools.map((tool) => tool.name)).toContain("echo");
    for (const message of ["one", "two", "three"]) {
      const result = await client.callTool({ name: "echo", arguments: { message } });
      expect(JSON.stringify(result.content)).toContain(message);
    }
    // Left out at consent: the token's writ does not hold it, a 403 insufficient_scope (never a
    // 401). The SDK tries to step up by refreshing, which never widens a consent, and gives up.
    const refusal = await client
      .callTool({ name: "get-sum", arguments: { a: 1, b: 2 } })
      .catch((error: unknown) => error);
    expect(String(refusal)).toMatch(/403 after trying upscoping/);
    await client.close();

    const rows = (await store.queryLedger({ kind: "decision" })).records.filter(
      (row) => row.tool === "echo",
    );
    expect(rows).toHaveLength(3);
    // The chain: alice → the client's agent → the gateway's agent, which alone holds the writ's key.
    for (const row of rows) {
      expect(row.user).toBe("alice");
      expect(row.chain?.agents).toEqual([
        expect.stringMatching(/^mcp-client-/),
        expect.stringMatching(/^mcp-gateway-/),
      ]);
    }
  });

  it("serves the users of every tenant: each chain runs through the tenant's own client agent and the gateway's one shared agent", async () => {
    await store.putUser({ id: "bob", tenant: "acme", permissions: "everything.echo" });
    await store.linkIdentity("bob", { issuer: idp.issuer, subject: "bob@example.com" });
    // A browser of bob's own: alice is signed in on the other one.
    const bobsPage = await browser.newPage();
    const { client } = await connectThroughOAuth(
      gatewayUrl,
      new MemoryOAuthProvider(callbackUrl),
      (authorizationUrl) => consentInBrowser(bobsPage, authorizationUrl, [], "bob"),
    );
    await bobsPage.close();
    const result = await client.callTool({ name: "echo", arguments: { message: "from acme" } });
    expect(JSON.stringify(result.content)).toContain("from acme");
    await client.close();

    const [row] = (await store.queryLedger({ kind: "decision", user: "bob" })).records;
    expect(row).toMatchObject({ decision: "allow", tenant: "acme", tool: "echo" });
    const [clientAgent, gatewayAgent] = row?.chain?.agents ?? [];
    expect(await store.getAgent(clientAgent as string)).toMatchObject({ tenant: "acme" });
    expect(await store.getAgent(gatewayAgent as string)).toMatchObject({ shared: true });
    expect((await store.getAgent(gatewayAgent as string))?.tenant).toBeUndefined();
  });

  describe("against attacks on the authorization server", () => {
    const verifier = "v".repeat(43);
    const challenge = createHash("sha256").update(verifier).digest("base64url");

    async function register(): Promise<string> {
      const response = await fetch(`${writ.url}/oauth/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ client_name: "SDK test client", redirect_uris: [callbackUrl] }),
      });
      expect(response.status).toBe(201);
      return ((await response.json()) as { client_id: string }).client_id;
    }

    function authorizeUrl(clientId: string, extra: Record<string, string> = {}): URL {
      const url = new URL(`${writ.url}/oauth/authorize`);
      for (const [name, value] of Object.entries({
        response_type: "code",
        client_id: clientId,
        redirect_uri: callbackUrl,
        code_challenge: challenge,
        code_challenge_method: "S256",
        state: "s1",
        resource: gatewayUrl,
        ...extra,
      })) {
        url.searchParams.set(name, value);
      }
      return url;
    }

    async function token(
      form: Record<string, string>,
    ): Promise<{ status: number; body: Record<string, string> }> {
      const response = await fetch(`${writ.url}/oauth/token`, {
        method: "POST",
        body: new URLSearchParams(form),
      });
      return { status: response.status, body: (await response.json()) as Record<string, string> };
    }

    async function codeFor(clientId: string): Promise<string> {
      return (await consentInBrowser(page, authorizeUrl(clientId))).searchParams.get(
        "code",
      ) as string;
    }

    /** The gateway's answer to an MCP initialize with this access token. */
    async function initializeStatus(accessToken: string): Promise<number> {
      return (await postInitialize(gatewayUrl, { authorization: `Bearer ${accessToken}` })).status;
    }

    it("MCP Inspector's CLI lists tools and calls them, run after run, with the access token as its standard header", async () => {
      const clientId = await register();
      const issued = await token({
        grant_type: "authorization_code",
        client_id: clientId,
        code: await codeFor(clientId),
        redirect_uri: callbackUrl,
        code_verifier: verifier,
      });
      const inspector = fileURLToPath(
        new URL(
          "../node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js",
          import.meta.url,
        ),
      );
      const run = async (...method: string[]) =>
        JSON.parse(
          (
            await promisify(execFile)(
              process.execPath,
              [
                inspector,
                "--cli",
                gatewayUrl,
                "--transport",
                "http",
                "--header",
                `Authorization: Bearer ${issued.body.access_token}`,
                ...method,
              ],
              // Its catalog of servers goes to the test's folder, not the home directory.
              { env: { ...process.env, MCP_CATALOG_PATH: join(folder, "inspector.json") } },
            )
          ).stdout,
        );
      const listed = await run("--method", "tools/list");
      expect(listed.tools.map((tool: { name: string }) => tool.name)).toContain("echo");
      for (const message of ["first", "second"]) {
        const called = await run(
          "--method",
          "tools/call",
          "--tool-name",
          "echo",
          "--tool-arg",
          `message=${message}`,
        );
        expect(JSON.stringify(called.content)).toContain(message);
      }
    });

    it("takes a client named by its Client ID Metadata Document, without registration", async () => {
      const clientId = `${new URL(callbackUrl).origin}/client.json`;
      const issued = await token({
        grant_type: "authorization_code",
        client_id: clientId,
        code: await codeFor(clientId),
        redirect_uri: callbackUrl,
        code_verifier: verifier,
      });
      expect(issued.status).toBe(200);
      expect(await initializeStatus(issued.body.access_token as string)).toBe(200);
    });

    it("sends nothing to a redirect URI the client did not register, and requires PKCE S256", async () => {
      const clientId = await register();
      const elsewhere = await fetch(authorizeUrl(clientId, { redirect_uri: `${callbackUrl}x` }), {
        redirect: "manual",
      });
      expect(elsewhere.status).toBe(400);
      expect(elsewhere.headers.get("location")).toBeNull();
      const plain = await fetch(authorizeUrl(clientId, { code_challenge_method: "plain" }), {
        redirect: "manual",
      });
      const back = new URL(plain.headers.get("location") as string);
      expect(back.searchParams.get("error")).toBe("invalid_request");
      expect(back.searchParams.get("iss")).toBe(writ.url);
    });

    it("refuses a consent posted from anywhere but its page (CSRF)", async () => {
      const forged = await fetch(`${writ.url}/oauth/consent`, {
        method: "POST",
        body: new URLSearchParams({ request: "x", csrf: "y", decision: "approve", grant: "0" }),
        redirect: "manual",
      });
      expect(forged.status).toBe(403);
    });

    it("redeems a code once, with its verifier only; a second redemption revokes the first's tokens", async () => {
      const clientId = await register();
      const code = await codeFor(clientId);
      const base = {
        grant_type: "authorization_code",
        client_id: clientId,
        code,
        redirect_uri: callbackUrl,
      };
      expect((await token({ ...base, code_verifier: "w".repeat(43) })).body.error).toBe(
        "invalid_grant",
      );
      // The failed attempt spent nothing: PKCE is checked after the code is taken, so take a fresh one.
      const fresh = await codeFor(clientId);
      const first = await token({ ...base, code: fresh, code_verifier: verifier });
      expect(first.status).toBe(200);
      expect(await initializeStatus(first.body.access_token as string)).toBe(200);
      const again = await token({ ...base, code: fresh, code_verifier: verifier });
      expect(again.body.error).toBe("invalid_grant");
      expect(await initializeStatus(first.body.access_token as string)).toBe(401);
    });

    it("rotates refresh tokens, and a rotated one presented again revokes the consent at once", async () => {
      const clientId = await register();
      const issued = await token({
        grant_type: "authorization_code",
        client_id: clientId,
        code: await codeFor(clientId),
        redirect_uri: callbackUrl,
        code_verifier: verifier,
      });
      const rotated = await token({
        grant_type: "refresh_token",
        client_id: clientId,
        refresh_token: issued.body.refresh_token as string,
      });
      expect(rotated.status).toBe(200);
      expect(rotated.body.refresh_token).not.toBe(issued.body.refresh_token);
      expect(await initializeStatus(rotated.body.access_token as string)).toBe(200);
      const reused = await token({
        grant_type: "refresh_token",
        client_id: clientId,
        refresh_token: issued.body.refresh_token as string,
      });
      expect(reused.body.error).toBe("invalid_grant");
      expect(await initializeStatus(rotated.body.access_token as string)).toBe(401);
    });

    describe("a client that holds a DPoP key (oauth4webapi, RFC 9449)", () => {
      const insecure = { [oauth.allowInsecureRequests]: true };
      let as: oauth.AuthorizationServer;
      let client: oauth.Client;
      let keys: DpopKeys;
      let tokens: oauth.TokenEndpointResponse;

      /** A DPoP proof signed by `key`, for the gateway's POST with this token unless told otherwise. */
      async function proofBy(
        key: DpopKeys,
        accessToken: string,
        claims: Record<string, unknown> = {},
      ): Promise<string> {
        return new SignJWT({
          htm: "POST",
          htu: gatewayUrl,
          jti: crypto.randomUUID(),
          iat: Math.floor(Date.now() / 1000),
          ath: createHash("sha256").update(accessToken).digest("base64url"),
          ...claims,
        })
          .setProtectedHeader({
            alg: "ES256",
            typ: "dpop+jwt",
            jwk: await exportJWK(key.publicKey),
          })
          .sign(key.privateKey);
      }

      /** The gateway's answer to an MCP initialize with these headers: its status and challenges. */
      async function initializeWith(headers: Record<string, string>) {
        const response = await postInitialize(gatewayUrl, headers);
        return { status: response.status, challenge: response.headers.get("www-authenticate") };
      }

      beforeAll(async () => {
        const issuer = new URL(writ.url);
        as = await oauth.processDiscoveryResponse(
          issuer,
          await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...insecure }),
        );
        client = { client_id: await register(), token_endpoint_auth_method: "none" };
        keys = await oauth.generateKeyPair("ES256");
        const back = await consentInBrowser(page, authorizeUrl(client.client_id));
        const response = await oauth.authorizationCodeGrantRequest(
          as,
          client,
          oauth.None(),
          oauth.validateAuthResponse(as, client, back, "s1"),
          callbackUrl,
          verifier,
          { DPoP: oauth.DPoP(client, keys), ...insecure },
        );
        tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
      });

      it("gets a DPoP-bound token, which the MCP SDK's client uses with a fresh proof on every request", async () => {
        expect(as.dpop_signing_alg_values_supported).toContain("ES256");
        expect(tokens.token_type).toBe("dpop");
        const claims = JSON.parse(
          Buffer.from(tokens.access_token.split(".")[1] as string, "base64url").toString(),
        );
        expect(claims.cnf).toEqual({
          jkt: await oauth.DPoP(client, keys).calculateThumbprint(),
        });
        const DPoP = oauth.DPoP(client, keys);
        const mcp = new Client({ name: "dpop-client", version: "1.0.0" });
        await mcp.connect(
          new StreamableHTTPClientTransport(new URL(gatewayUrl), {
            // Every request the SDK sends goes out as RFC 9449 asks: Authorization: DPoP, and a proof with ath.
            fetch: (url, init) =>
              oauth.protectedResourceRequest(
                tokens.access_token,
                init?.method ?? "GET",
                new URL(url),
                new Headers(init?.headers),
                (init?.body as string | undefined) ?? null,
                { DPoP, ...insecure },
              ),
          }),
        );
        for (const message of ["bound one", "bound two"]) {
          const result = await mcp.callTool({ name: "echo", arguments: { message } });
          expect(JSON.stringify(result.content)).toContain(message);
        }
        await mcp.close();
      });

      it("refuses the token without a proof of its key, or with a proof for anything but this request", async () => {
        const token = tokens.access_token;
        const dpop = (proof?: string) => ({
          authorization: `DPoP ${token}`,
          ...(proof === undefined ? {} : { dpop: proof }),
        });
        const refusal = async (headers: Record<string, string>) => {
          const answer = await initializeWith(headers);
          expect(answer.status).toBe(401);
          // The DPoP challenge names the error; the Bearer one beside it says where tokens come from.
          expect(answer.challenge).toMatch(/^Bearer resource_metadata="[^"]+", DPoP /);
          return /DPoP error="(\w+)", error_description="([\w.]+)"/
            .exec(answer.challenge ?? "")
            ?.slice(1);
        };
        const other = await oauth.generateKeyPair("ES256");
        expect(await refusal(dpop())).toEqual(["invalid_dpop_proof", "dpop.missing"]);
        expect(await refusal(dpop(await proofBy(keys, token, { htm: "GET" })))).toEqual([
          "invalid_dpop_proof",
          "dpop.wrong_request",
        ]);
        expect(await refusal(dpop(await proofBy(keys, token, { htu: `${writ.url}/mcp` })))).toEqual(
          ["invalid_dpop_proof", "dpop.wrong_request"],
        );
        expect(await refusal(dpop(await proofBy(keys, "another token")))).toEqual([
          "invalid_dpop_proof",
          "dpop.wrong_token",
        ]);
        expect(await refusal(dpop(await proofBy(other, token)))).toEqual([
          "invalid_dpop_proof",
          "dpop.key_mismatch",
        ]);
        const stale = Math.floor(Date.now() / 1000) - 300;
        expect(await refusal(dpop(await proofBy(keys, token, { iat: stale })))).toEqual([
          "invalid_dpop_proof",
          "dpop.stale",
        ]);
        const once = await proofBy(keys, token);
        expect((await initializeWith(dpop(once))).status).toBe(200);
        expect(await refusal(dpop(once))).toEqual(["invalid_dpop_proof", "dpop.replayed"]);
        // Sent as a bearer token, a DPoP-bound token is not one.
        const bearer = await initializeWith({ authorization: `Bearer ${token}` });
        expect(bearer.status).toBe(401);
        expect(bearer.challenge).toMatch(
          /error="invalid_token", error_description="oauth.token_dpop_bound"/,
        );
      });

      it("refreshes only with a proof by the same key", async () => {
        const refresh = (DPoP?: oauth.DPoPHandle) =>
          oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token as string, {
            ...(DPoP ? { DPoP } : {}),
            ...insecure,
          });
        const stranger = oauth.DPoP(client, await oauth.generateKeyPair("ES256"));
        for (const attempt of [await refresh(stranger), await refresh()]) {
          expect(attempt.status).toBe(400);
          expect(((await attempt.json()) as { error: string }).error).toBe("invalid_dpop_proof");
        }
        // Those attempts spent nothing: the client's own key still refreshes.
        const DPoP = oauth.DPoP(client, keys);
        const rotated = await oauth.processRefreshTokenResponse(as, client, await refresh(DPoP));
        expect(rotated.token_type).toBe("dpop");
        const answer = await oauth.protectedResourceRequest(
          rotated.access_token,
          "POST",
          new URL(gatewayUrl),
          new Headers({
            accept: "application/json, text/event-stream",
            "content-type": "application/json",
          }),
          RAW_INITIALIZE,
          { DPoP, ...insecure },
        );
        await answer.body?.cancel();
        expect(answer.status).toBe(200);
      });
    });

    it("keeps a registered client and its refresh tokens across a restart of the server", async () => {
      const clientId = await register();
      const issued = await token({
        grant_type: "authorization_code",
        client_id: clientId,
        code: await codeFor(clientId),
        redirect_uri: callbackUrl,
        code_verifier: verifier,
      });
      await restartWrit();
      const refreshed = await token({
        grant_type: "refresh_token",
        client_id: clientId,
        refresh_token: issued.body.refresh_token as string,
      });
      expect(refreshed.status).toBe(200);
      expect(await initializeStatus(refreshed.body.access_token as string)).toBe(200);
      // Still known: the authorization endpoint sends it on to the consent, not to an error page.
      const again = await fetch(authorizeUrl(clientId), { redirect: "manual" });
      expect(again.status).toBe(303);
    });

    it("takes a token only for its own audience and only while its client is not revoked", async () => {
      const clientId = await register();
      const issued = await token({
        grant_type: "authorization_code",
        client_id: clientId,
        code: await codeFor(clientId),
        redirect_uri: callbackUrl,
        code_verifier: verifier,
      });
      const accessToken = issued.body.access_token as string;
      expect(await initializeStatus(accessToken)).toBe(200);
      // The same token with another audience: its signature no longer holds.
      const [header, payload, signature] = accessToken.split(".");
      const claims = JSON.parse(Buffer.from(payload as string, "base64url").toString());
      const other = Buffer.from(
        JSON.stringify({ ...claims, aud: "http://127.0.0.1:1/mcp" }),
      ).toString("base64url");
      expect(await initializeStatus(`${header}.${other}.${signature}`)).toBe(401);
      // A writ is not an access token: sent as a bearer token it is refused (confused deputy).
      expect(await initializeStatus(claims.writ)).toBe(401);
      await store.revoke({
        kind: "agent",
        id: claims.writ
          ? JSON.parse(Buffer.from(claims.writ.split(".")[1], "base64url").toString()).aud
          : "",
        by: "test",
      });
      expect(await initializeStatus(accessToken)).toBe(401);
    });
  });
});
