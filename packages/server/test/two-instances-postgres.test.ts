import { createHash, randomBytes } from "node:crypto";
import { CredentialKeyring, createCredentialBroker } from "@writ/broker";
import {
  type AllowDecision,
  createAgentIdentity,
  createGuard,
  type Guard,
  KeyPair,
  Session,
} from "@writ/core";
import { postgresBackend, type StoreBackend } from "@writ/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mailProvider } from "../../broker/test/support/broker-world.js";
import {
  startTestAuthorizationServer,
  type TestAuthorizationServer,
} from "../../broker/test/support/test-authorization-server.js";
import {
  createTestDatabase,
  requirePostgresUrl,
} from "../../store/test/support/postgres-server.js";
import { createWritServer, type ListeningWritServer } from "../src/index.js";
import { ClientWrits } from "../src/oauth/client-writs.js";
import type { OAuthResource } from "../src/oauth/oauth-options.js";
import { PendingAuthorizations } from "../src/oauth/pending-authorizations.js";

const serverUrl = requirePostgresUrl();

/** Waits until `check` passes: what another instance learns arrives through the store's feed. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; !(await check()); attempt++) {
    if (attempt > 2000) throw new Error(`Never saw: ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Two Writ server instances on one PostgreSQL, as a scaled-out deployment
 * runs them: API keys made on one work on the other and a revocation on one
 * is enforced by both; lists page the same from both, per tenant; a remote
 * guard's provider token comes from either.
 */
describe.runIf(serverUrl)("two server instances on one PostgreSQL", { timeout: 120_000 }, () => {
  let database: { url: string; drop(): Promise<void> };
  const stores: StoreBackend[] = [];
  const instances: ListeningWritServer[] = [];
  let provider: TestAuthorizationServer;
  let operatorKey: string;
  const [a, b] = [0, 1];

  const call = async (
    instance: number,
    key: string,
    method: string,
    path: string,
    body?: unknown,
  ) => {
    const response = await fetch(`${instances[instance]?.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    // biome-ignore lint/suspicious/noExplicitAny: the cases read arbitrary JSON answers
    return { status: response.status, body: (await response.json()) as any };
  };

  // Both instances are one OAuth authorization server behind one public URL.
  const oauth = {
    issuer: "http://127.0.0.1:1",
    resources: [{ resource: "http://127.0.0.1:2/mcp", key: KeyPair.generate().publicJwk }],
  };

  beforeAll(async () => {
    database = await createTestDatabase(serverUrl as string, "server_two_instances");
    provider = await startTestAuthorizationServer();
    const keyring = new CredentialKeyring({ keys: [{ id: "k1", key: randomBytes(32) }] });
    for (let index = 0; index < 2; index++) {
      // One after the other: the first applies the migrations.
      const store = await postgresBackend({ url: database.url });
      stores.push(store);
      const server = await createWritServer({
        store,
        audience: "urn:writ:cluster",
        credentials: createCredentialBroker({
          store: store.credentials,
          ledger: store,
          keyring,
          providers: [mailProvider(provider.issuer)],
        }),
        oauth,
      });
      instances.push(await server.listen({ port: 0 }));
    }
    operatorKey = (await (stores[a] as StoreBackend).createApiKey({ label: "operator" })).key;
  }, 60_000);

  afterAll(async () => {
    for (const instance of instances) await instance.close();
    for (const store of stores) await store.close();
    await provider?.stop();
    await database?.drop();
  });

  it("serves an OAuth client registered at one instance at the other, and continues its authorization there", async () => {
    const registered = await fetch(`${instances[a]?.url}/oauth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ redirect_uris: ["http://127.0.0.1:3/callback"] }),
    });
    expect(registered.status).toBe(201);
    const { client_id } = (await registered.json()) as { client_id: string };
    const authorize = new URL(`${instances[b]?.url}/oauth/authorize`);
    for (const [name, value] of Object.entries({
      response_type: "code",
      client_id,
      code_challenge: "c".repeat(43),
      code_challenge_method: "S256",
    })) {
      authorize.searchParams.set(name, value);
    }
    const started = await fetch(authorize, { redirect: "manual" });
    expect(started.status).toBe(303);
    const consent = started.headers.get("location") as string;
    const cookie = (started.headers.get("set-cookie") ?? "").split(";")[0] as string;
    // The request opened at b is open at a, for the browser that opened it only.
    const atA = await fetch(`${instances[a]?.url}${consent}`, { headers: { cookie } });
    expect(atA.status).toBe(200);
    expect(await atA.text()).toContain("Sign in");
    expect((await fetch(`${instances[a]?.url}${consent}`)).status).toBe(400);
    // Known at b: a code it never issued is invalid_grant, not invalid_client.
    const token = await fetch(`${instances[b]?.url}/oauth/token`, {
      method: "POST",
      body: new URLSearchParams({ grant_type: "authorization_code", client_id, code: "x" }),
    });
    expect(((await token.json()) as { error: string }).error).toBe("invalid_grant");
  });

  it("redeems a code handed to both instances at once only once, and leaves no usable token from the race", async () => {
    const store = stores[a] as StoreBackend;
    const redirectUri = "http://127.0.0.1:3/callback";
    const registered = await fetch(`${instances[a]?.url}/oauth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ redirect_uris: [redirectUri] }),
    });
    const { client_id } = (await registered.json()) as { client_id: string };
    await store.putUser({ id: "racer", permissions: "docs.read" });
    const [resource] = oauth.resources;
    const agent = "mcp-client-race";
    // What the consent page does once the person approves: the agents, then the code.
    await new ClientWrits(store).ensureAgents({
      agent,
      tenant: undefined,
      policy: "docs.read",
      resource: resource as OAuthResource,
    });
    const verifier = "v".repeat(43);
    const code = await new PendingAuthorizations(store.oauthState, Date.now).issueCode({
      clientId: client_id,
      redirectUri,
      codeChallenge: createHash("sha256").update(verifier).digest("base64url"),
      resource: resource?.resource as string,
      user: "racer",
      agent,
      grants: [{ action: "docs.read" }],
    });
    const redeem = (instance: number) =>
      fetch(`${instances[instance]?.url}/oauth/token`, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "authorization_code",
          client_id,
          code,
          code_verifier: verifier,
          redirect_uri: redirectUri,
        }),
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as { error?: string; refresh_token?: string },
      }));
    const answers = await Promise.all([redeem(a), redeem(b)]);
    // One conditional update redeems the code; the other instance sees a reuse, an attack
    // on the first redemption's tokens (RFC 6749 §4.1.2), and revokes them: whichever
    // answers first, no usable token comes out of the race.
    expect(answers.filter((answer) => answer.status === 200).length).toBeLessThanOrEqual(1);
    expect(answers.some((answer) => answer.body.error === "invalid_grant")).toBe(true);
    for (const { body } of answers.filter((answer) => answer.status === 200)) {
      const refreshed = await fetch(`${instances[b]?.url}/oauth/token`, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "refresh_token",
          client_id,
          refresh_token: body.refresh_token as string,
        }),
      });
      expect(((await refreshed.json()) as { error: string }).error).toBe("invalid_grant");
    }
    // The code stays spent: a third attempt is a reuse too.
    expect((await redeem(a)).body.error).toBe("invalid_grant");
  });

  it("accepts a key made on one instance on the other, and both refuse it once revoked on either", async () => {
    const made = await call(a, operatorKey, "POST", "/v1/api-keys", {
      tenant: "acme",
      scopes: ["read"],
      label: "dashboard",
    });
    expect(made.status).toBe(200);
    const key: string = made.body.key;
    expect((await call(b, key, "GET", "/v1/users")).status).toBe(200);
    const revoked = await call(b, operatorKey, "POST", "/v1/revocations", {
      kind: "api_key",
      id: made.body.apiKey.id,
      reason: "leaked",
    });
    expect(revoked.status).toBe(200);
    expect((await call(b, key, "GET", "/v1/users")).status).toBe(401);
    await eventually(
      async () => (await call(a, key, "GET", "/v1/users")).status === 401,
      "instance A refusing the key revoked on instance B",
    );
    const listed = await call(a, operatorKey, "GET", `/v1/api-keys/${made.body.apiKey.id}`);
    expect(listed.body.revoked).toMatchObject({ reason: "leaked" });
    expect(listed.body.lastUsedAt).toEqual(expect.any(Number));
  });

  it("pages a tenant's lists the same on both instances, past the largest page", async () => {
    const store = stores[a] as StoreBackend;
    for (let index = 0; index < 1003; index++) {
      await store.requestApproval({
        id: `x-${index}`,
        callId: `x-call-${index}`,
        action: "refunds.approve",
        argsHash: "h",
        leafHash: "l",
        tool: "approve_refund",
        user: "alice",
        agent: "planner",
        tenant: "other",
        chain: ["planner"],
        requestedAt: Date.now() - 10_000 + index,
        expiresAt: Date.now() + 3_600_000,
      });
    }
    for (let index = 0; index < 3; index++) {
      await store.requestApproval({
        id: `acme-${index}`,
        callId: `acme-call-${index}`,
        action: "refunds.approve",
        argsHash: "h",
        leafHash: "l",
        tool: "approve_refund",
        user: "alice",
        agent: "planner",
        tenant: "acme",
        chain: ["planner"],
        requestedAt: Date.now() + index,
        expiresAt: Date.now() + 3_600_000,
      });
    }
    const acmeKey = (await store.createApiKey({ tenant: "acme", scopes: ["read"] })).key;
    const read = async (instance: number, key: string, path: string) => {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await call(
          instance,
          key,
          "GET",
          `${path}${cursor ? `&cursor=${cursor}` : ""}`,
        );
        expect(page.status).toBe(200);
        ids.push(...page.body.approvals.map((approval: { id: string }) => approval.id));
        cursor = page.body.nextCursor;
      } while (cursor !== undefined);
      return ids;
    };
    for (const instance of [a, b]) {
      expect(await read(instance, acmeKey, "/v1/approvals?limit=2")).toEqual([
        "acme-0",
        "acme-1",
        "acme-2",
      ]);
    }
    const all = await read(a, operatorKey, "/v1/approvals?limit=1000&tenant=other");
    expect(all).toHaveLength(1003);
    expect(await read(b, operatorKey, "/v1/approvals?limit=1000&tenant=other")).toEqual(all);
  });

  it("hands a remote guard's running call its provider token from either instance", async () => {
    const store = stores[a] as StoreBackend;
    const mailer = createAgentIdentity("mailer");
    await store.putUser({ id: "carol", permissions: "email.*" });
    await store.putAgent({ id: "mailer", policy: "email.*", keys: [mailer] });
    // Connected through instance B; the token comes from both (one keyring, as a deployment shares it).
    const started = await call(b, operatorKey, "POST", "/v1/users/carol/connections/mail", {});
    expect(started.status).toBe(200);
    const callback = await provider.approve(started.body.authorizationUrl, "carol");
    expect(
      (
        await call(b, operatorKey, "POST", "/v1/users/carol/connections/mail/callback", {
          callback: callback.toString(),
        })
      ).status,
    ).toBe(200);
    const guardKey = (await store.createApiKey({ scopes: ["guard"] })).key;
    const guard: Guard = await createGuard({
      backend: store,
      issuer: await store.issuerKeys(),
      audience: "urn:writ:tools",
    });
    try {
      const session = new Session(mailer, await store.issue({ user: "carol", agent: "mailer" }));
      await eventually(
        async () => guard.canUse(session.writ.toString(), "email.send"),
        "the guard knowing carol",
      );
      const send = guard.callFrom(session, { action: "email.send", tool: "send", args: {} });
      await guard.run(send, async (decision: AllowDecision) => {
        for (const instance of [a, b]) {
          const answer = await call(instance, guardKey, "POST", "/v1/credentials/access-token", {
            callId: decision.callId,
            eventId: decision.eventId,
            provider: "mail",
          });
          expect(answer.status).toBe(200);
          expect(answer.body).toMatchObject({ provider: "mail", scopes: ["mail.send"] });
        }
        return "sent";
      });
    } finally {
      await guard.close();
    }
  });
});
