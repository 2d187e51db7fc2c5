import { randomBytes } from "node:crypto";
import { CredentialKeyring, createCredentialBroker } from "@writ/broker";
import {
  type AllowDecision,
  createAgentIdentity,
  createGuard,
  type Guard,
  Session,
} from "@writ/core";
import { sqliteBackend } from "@writ/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  API_RESOURCE,
  CLIENT_ID,
  CLIENT_SECRET,
  REDIRECT_URI,
  startTestAuthorizationServer,
  type TestAuthorizationServer,
} from "../../broker/test/support/test-authorization-server.js";
import { createApiKey, createWritServer, type WritServer } from "../src/index.js";

/**
 * The provider connection routes over a real oidc-provider: an application
 * (tenant a's admin key) connects Alice, a guard elsewhere on the same store
 * gets her token inside an allowed call, another tenant sees none of it.
 */
describe("provider connection routes", () => {
  let provider: TestAuthorizationServer;
  let store: Awaited<ReturnType<typeof sqliteBackend>>;
  let server: WritServer;
  let guard: Guard;
  const keyring = new CredentialKeyring({ keys: [{ id: "k1", key: randomBytes(32) }] });
  const keys = {
    operator: createApiKey({ label: "operator" }),
    a: createApiKey({ tenant: "a", label: "tenant a admin" }),
    aGuard: createApiKey({ tenant: "a", scopes: ["guard"], label: "tenant a guard" }),
    b: createApiKey({ tenant: "b", label: "tenant b admin" }),
  };
  const mailer = createAgentIdentity("mailer");
  const providers = () => [
    {
      id: "mail",
      issuer: provider.issuer,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: REDIRECT_URI,
      resource: API_RESOURCE,
      scopes: { "email.send": ["mail.send"], "email.*": ["mail.read"] },
      allowInsecureHttp: true,
    },
  ];

  async function call(
    key: keyof typeof keys,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await server.app.request(path, {
      method,
      headers: {
        authorization: `Bearer ${keys[key].key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      status: response.status,
      body: (await response.json()) as Record<string, unknown>,
    };
  }

  beforeAll(async () => {
    provider = await startTestAuthorizationServer();
    store = await sqliteBackend({ path: ":memory:" });
    server = await createWritServer({
      store,
      apiKeys: Object.values(keys).map((created) => created.record),
      audience: "urn:writ:connections",
      credentials: createCredentialBroker({
        store: store.credentials,
        ledger: store,
        keyring,
        providers: providers(),
      }),
    });
    for (const tenant of ["a", "b"]) await store.putTenant(tenant);
    await store.putUser({ id: "alice", tenant: "a", permissions: "email.*" });
    await store.putAgent({ id: "mailer", tenant: "a", policy: "email.*", keys: [mailer] });
    guard = await createGuard({
      backend: store,
      issuer: await store.issuerKeys(),
      audience: "urn:writ:mail-tools",
    });
  });

  afterAll(async () => {
    await guard?.close();
    await server?.close();
    await store?.close();
    await provider?.stop();
  });

  it("connects a user through the application, whose tools then get tokens from the broker", async () => {
    const started = await call("a", "POST", "/v1/users/alice/connections/mail", {
      actions: ["email.send"],
    });
    expect(started.status).toBe(200);
    const authorizationUrl = String(started.body.authorizationUrl);
    expect(new URL(authorizationUrl).searchParams.get("scope")).toBe("mail.send");
    const callback = await provider.approve(authorizationUrl, "alice");

    // Tenant b can neither finish nor see Alice's flow or connection.
    const foreign = await call("b", "POST", "/v1/users/alice/connections/mail/callback", {
      callback: callback.href,
    });
    expect(foreign.status).toBe(404);
    const connected = await call("a", "POST", "/v1/users/alice/connections/mail/callback", {
      callback: callback.href,
    });
    expect(connected.status).toBe(200);
    expect(connected.body).toMatchObject({
      user: "alice",
      tenant: "a",
      provider: "mail",
      status: "active",
      scopes: ["mail.send"],
    });
    const replay = await call("a", "POST", "/v1/users/alice/connections/mail/callback", {
      callback: callback.search,
    });
    expect(replay).toMatchObject({ status: 400, body: { code: "credential.state_invalid" } });

    const listed = await call("a", "GET", "/v1/users/alice/connections");
    expect(listed.status).toBe(200);
    expect(listed.body.connections).toEqual([connected.body]);
    expect(JSON.stringify(listed.body)).not.toMatch(/token/i);
    expect((await call("b", "GET", "/v1/users/alice/connections")).status).toBe(404);
    expect((await call("aGuard", "GET", "/v1/users/alice/connections")).status).toBe(403);
    expect((await call("b", "POST", "/v1/users/alice/connections/mail", {})).status).toBe(404);

    // A tool process on the same store: the broker with its guard.
    const tools = createCredentialBroker({
      store: store.credentials,
      ledger: store,
      keyring,
      providers: providers(),
      guard,
    });
    const session = new Session(mailer, await store.issue({ user: "alice", agent: "mailer" }));
    const run = await guard.run(
      guard.callFrom(session, { action: "email.send", tool: "send_email", args: {} }),
      (decision: AllowDecision) => tools.getAccessToken(decision, "mail"),
    );
    expect("output" in run && run.output.scopes).toEqual(["mail.send"]);

    expect((await call("b", "DELETE", "/v1/users/alice/connections/mail")).status).toBe(404);
    const removed = await call("a", "DELETE", "/v1/users/alice/connections/mail");
    expect(removed).toMatchObject({ status: 200, body: { removed: true, revoked: true } });
    expect(provider.revokedGrants.length).toBeGreaterThan(0);
  });

  it("answers provider failures and misuse as problems with Writ's codes", async () => {
    expect((await call("a", "POST", "/v1/users/alice/connections/other", {})).status).toBe(400);
    expect((await call("a", "POST", "/v1/users/nobody/connections/mail", {})).status).toBe(404);
    const unmapped = await call("a", "POST", "/v1/users/alice/connections/mail", {
      actions: ["calendar.read"],
    });
    expect(unmapped).toMatchObject({ status: 400, body: { code: "credential.no_scopes" } });
    expect((await call("a", "POST", "/v1/credentials/rewrap")).status).toBe(403);
    expect(await call("operator", "POST", "/v1/credentials/rewrap")).toMatchObject({
      status: 200,
      body: { count: 0 },
    });
    await provider.stop();
    try {
      const fresh = await createWritServer({
        store,
        apiKeys: [keys.a.record],
        audience: "urn:writ:connections-2",
        credentials: createCredentialBroker({
          store: store.credentials,
          ledger: store,
          keyring,
          providers: providers(),
        }),
      });
      const response = await fresh.app.request("/v1/users/alice/connections/mail", {
        method: "POST",
        headers: { authorization: `Bearer ${keys.a.key}`, "content-type": "application/json" },
        body: "{}",
      });
      expect(response.status).toBe(503);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(await response.json()).toMatchObject({ code: "credential.provider_unavailable" });
      await fresh.close();
    } finally {
      await provider.start();
    }
  });
});
