import {
  createActorToken,
  exchangeToken,
  fetchIssuerKeys,
  type RemoteAdmin,
  remoteAdmin,
  remoteBackend,
} from "@writ/client";
import { createAgentIdentity, createGuard, type Guard, isWritError, Session } from "@writ/core";
import {
  createApiKey,
  createWritServer,
  type ListeningWritServer,
  TOKEN_EXCHANGE_GRANT,
} from "@writ/server";
import { sqliteBackend } from "@writ/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startJwksServer } from "./support/jwks-server.js";
import { startTestProvider, type TestProvider } from "./support/oidc-test-provider.js";

const ACCESS_ISSUER = "https://partners-idp.example";

const AUDIENCE = "urn:writ:exchange-test";

describe("RFC 8693 token exchange against a real OpenID provider", () => {
  let provider: TestProvider;
  let stranger: TestProvider;
  /** Trusted too, but without just-in-time provisioning: only identities an admin linked. */
  let partner: TestProvider;
  /** Trusted, naming people by email address, for example.com only. */
  let mail: TestProvider;
  let store: Awaited<ReturnType<typeof sqliteBackend>>;
  let listening: ListeningWritServer;
  let admin: RemoteAdmin;
  let apiKey: string;
  let offsetMs = 0;
  let resourceServer: Awaited<ReturnType<typeof startJwksServer>>;
  const agent = createAgentIdentity("support-bot");
  const guards: Guard[] = [];

  beforeAll(async () => {
    const accounts = {
      alice: { email: "alice@example.com", groups: ["support", "staff"] },
      bob: { email: "bob@example.com", groups: ["staff"] },
    };
    provider = await startTestProvider({ clients: ["writ-agents", "other-app"], accounts });
    resourceServer = await startJwksServer(ACCESS_ISSUER);
    stranger = await startTestProvider({ clients: ["writ-agents"], accounts });
    partner = await startTestProvider({
      clients: ["writ-agents"],
      accounts: {
        // An account at the partner whose sub is the id of a user provider A owns.
        alice: { email: "alice@partner.test", groups: ["support"] },
        newbie: { email: "newbie@partner.test", groups: [] },
      },
    });
    mail = await startTestProvider({
      clients: ["writ-agents"],
      accounts: {
        carol: { email: "carol@example.com", groups: ["support"] },
        mallory: { email: "alice@example.com", emailVerified: false, groups: [] },
        eve: { email: "eve@elsewhere.test", groups: [] },
      },
    });
    store = await sqliteBackend({ path: ":memory:" });
    const created = createApiKey({ label: "exchange test operator" });
    apiKey = created.key;
    const server = await createWritServer({
      store,
      apiKeys: [created.record],
      audience: AUDIENCE,
      clock: () => Date.now() + offsetMs,
      tokenExchange: {
        identityProviders: [
          {
            issuer: provider.issuer,
            clientId: "writ-agents",
            allowInsecureHttp: true,
            claims: { roles: { claim: "groups", map: { support: "refund-desk" } } },
            justInTimeProvisioning: true,
          },
          {
            issuer: partner.issuer,
            clientId: "writ-agents",
            allowInsecureHttp: true,
            claims: { roles: { claim: "groups", map: { support: "refund-desk" } } },
          },
          {
            issuer: mail.issuer,
            clientId: "writ-agents",
            allowInsecureHttp: true,
            claims: { user: "email", roles: { claim: "groups", map: { support: "refund-desk" } } },
            emailDomains: ["example.com"],
            justInTimeProvisioning: true,
          },
          {
            // An identity provider without discovery, whose JWT access tokens (RFC 9068) name this server.
            issuer: ACCESS_ISSUER,
            clientId: "unused-for-id-tokens",
            accessTokenAudience: AUDIENCE,
            jwksUri: resourceServer.jwksUri,
            tenant: "partners",
          },
        ],
      },
    });
    listening = await server.listen({ port: 0 });
    admin = remoteAdmin({ url: listening.url, apiKey });
    await admin.putRole({ id: "refund-desk", permissions: "refunds.approve(amount < 100)" });
    await admin.putRole({ id: "auditor", permissions: "ledger.read" });
    await admin.putAgent({ id: agent.id, policy: "refunds.*; ledger.read", keys: [agent] });
  });

  afterAll(async () => {
    for (const guard of guards) await guard.close();
    await listening?.close();
    await store?.close();
    await provider?.close();
    await resourceServer?.close();
    await stranger?.close();
    await partner?.close();
    await mail?.close();
  });

  const exchange = (subjectToken: string, actor = agent) =>
    exchangeToken({ url: listening.url, subjectToken, agent: actor });

  async function codeOf(promise: Promise<unknown>): Promise<string> {
    try {
      await promise;
    } catch (error) {
      if (isWritError(error)) return error.code;
      throw error;
    }
    throw new Error("expected the exchange to be refused");
  }

  it("exchanges a signed-in user's ID token for a root writ; a guarded call under it is attributed to the user", async () => {
    const idToken = await provider.signIn("writ-agents", "alice");
    const session = await exchange(idToken);
    expect(session).toBeInstanceOf(Session);
    expect(session.writ.user).toBe("alice");
    expect(session.writ.root.claims.aud).toBe(agent.id);
    expect(session.writ.root.claims.cnf.jkt).toBe(agent.thumbprint);
    expect((await admin.getUser("alice"))?.roles).toEqual(["refund-desk"]);

    const guard = await createGuard({
      backend: remoteBackend({ url: listening.url, apiKey }),
      issuer: await fetchIssuerKeys({ url: listening.url }),
      audience: "urn:writ:tools",
    });
    guards.push(guard);
    const call = (amount: number, callId: string) =>
      guard.callFrom(session, {
        action: "refunds.approve",
        tool: "approve_refund",
        args: { amount },
        callId,
      });
    const allowed = await guard.run(call(40, "oidc-allowed"), () => "refunded");
    expect(allowed.decision).toMatchObject({ effect: "allow", user: "alice", agent: agent.id });
    const denied = await guard.authorize(call(400, "oidc-denied"));
    expect(denied).toMatchObject({ effect: "deny", code: "grant.condition_failed" });

    const rows = (await admin.queryLedger({ callId: "oidc-allowed" })).records;
    expect(rows.map((row) => [row.kind, row.user, row.agent])).toEqual([
      ["decision", "alice", agent.id],
      ["outcome", "alice", agent.id],
    ]);
    const issued = (await admin.queryLedger({ kind: "issue", user: "alice" })).records;
    expect(issued.at(-1)?.detail?.jti).toBe(session.writ.root.claims.jti);
  });

  it("maps provider groups to roles it manages and keeps roles given by hand", async () => {
    await admin.putUser({ id: "bob", roles: ["auditor", "refund-desk"] });
    await admin.linkIdentity("bob", { issuer: provider.issuer, subject: "bob" });
    await exchange(await provider.signIn("writ-agents", "bob"));
    // bob is not in "support": the mapping takes refund-desk away and leaves auditor alone.
    expect((await admin.getUser("bob"))?.roles).toEqual(["auditor"]);
  });

  it("narrows the writ with the grants parameter", async () => {
    const session = await exchangeToken({
      url: listening.url,
      subjectToken: await provider.signIn("writ-agents", "alice"),
      agent,
      grants: "refunds.approve(amount < 10)",
    });
    expect(session.writ.root.claims.grants).toEqual([
      { action: "refunds.approve", when: { amount: { lt: 10 } } },
    ]);
  });

  it("exchanges a JWT access token issued for this server, and refuses one for another audience", async () => {
    const partnerBot = createAgentIdentity("partner-bot");
    await admin.putAgent({
      id: partnerBot.id,
      tenant: "partners",
      policy: "docs.read",
      keys: [partnerBot],
    });
    await admin.putUser({ id: "pat", tenant: "partners", permissions: "docs.read" });
    await admin.linkIdentity("pat", { issuer: ACCESS_ISSUER, subject: "pat" });
    const accessToken = (audience: string) =>
      resourceServer.sign({ sub: "pat", aud: audience, client_id: "partner-portal" });
    const session = await exchangeToken({
      url: listening.url,
      subjectToken: accessToken(AUDIENCE),
      subjectTokenType: "access_token",
      agent: partnerBot,
    });
    expect(session.writ.root.claims).toMatchObject({
      sub: "pat",
      tnt: "partners",
      aud: partnerBot.id,
    });
    const elsewhere = exchangeToken({
      url: listening.url,
      subjectToken: accessToken("https://another.example"),
      subjectTokenType: "access_token",
      agent: partnerBot,
    });
    expect(await codeOf(elsewhere)).toBe("token.wrong_audience");
    // The same provider's tokens as ID tokens are not accepted: it is configured for access tokens.
    expect(await codeOf(exchange(accessToken(AUDIENCE), partnerBot))).toBe("token.wrong_audience");
  });

  it("never reaches a user through a provider that does not own it: another provider's equal sub is refused", async () => {
    await exchange(await provider.signIn("writ-agents", "alice")); // alice, linked at provider A
    const partnerAlice = await partner.signIn("writ-agents", "alice");
    expect(await codeOf(exchange(partnerAlice))).toBe("identity.not_linked");
    expect((await admin.getUser("alice"))?.identities.map((identity) => identity.issuer)).toEqual([
      provider.issuer,
    ]);
  });

  it("exchanges an identity an admin linked, and provisions one only where the provider says so", async () => {
    const newbie = await partner.signIn("writ-agents", "newbie");
    expect(await codeOf(exchange(newbie))).toBe("identity.not_linked");
    expect(await admin.getUser("newbie")).toBeUndefined();
    await admin.putUser({ id: "nora", permissions: "refunds.approve(amount < 10)" });
    await admin.linkIdentity("nora", { issuer: partner.issuer, subject: "newbie" });
    expect((await exchange(await partner.signIn("writ-agents", "newbie"))).writ.user).toBe("nora");
    await admin.unlinkIdentity("nora", { issuer: partner.issuer, subject: "newbie" });
    expect(await codeOf(exchange(await partner.signIn("writ-agents", "newbie")))).toBe(
      "identity.not_linked",
    );

    // Provider A provisions: the first exchange creates the user, linked to that identity.
    const session = await exchange(await provider.signIn("writ-agents", "bob"));
    expect(session.writ.user).toBe("bob");
    expect(await admin.userForIdentity({ issuer: provider.issuer, subject: "bob" })).toMatchObject({
      id: "bob",
    });
  });

  it("maps email addresses only when verified and in a domain the provider may assert", async () => {
    const carol = await exchange(await mail.signIn("writ-agents", "carol"));
    expect(carol.writ.user).toBe("carol@example.com");
    expect(
      (await admin.getUser("carol@example.com"))?.identities.map(({ issuer, subject }) => ({
        issuer,
        subject,
      })),
    ).toEqual([{ issuer: mail.issuer, subject: "carol@example.com" }]);
    expect(await codeOf(exchange(await mail.signIn("writ-agents", "mallory")))).toBe(
      "identity.email_unverified",
    );
    expect(await codeOf(exchange(await mail.signIn("writ-agents", "eve")))).toBe(
      "identity.email_domain_not_allowed",
    );
    expect(await admin.getUser("eve@elsewhere.test")).toBeUndefined();
  });

  it("refuses an actor token issued further in the future than the skew allows", async () => {
    const idToken = await provider.signIn("writ-agents", "alice");
    const ahead = await exchangeToken({
      url: listening.url,
      subjectToken: idToken,
      agent,
      clock: () => Date.now() + 3_600_000,
    }).catch((error: unknown) => error);
    expect(ahead).toMatchObject({ code: "token.not_yet_valid" });
  });

  it("refuses an expired ID token with token.expired", async () => {
    const idToken = await provider.signIn("writ-agents", "alice");
    offsetMs = 2 * 3600 * 1000;
    try {
      expect(await codeOf(exchange(idToken))).toBe("token.expired");
    } finally {
      offsetMs = 0;
    }
  });

  it("refuses an ID token issued to another client with token.wrong_audience", async () => {
    expect(await codeOf(exchange(await provider.signIn("other-app", "alice")))).toBe(
      "token.wrong_audience",
    );
  });

  it("refuses an ID token from an issuer it does not trust with token.wrong_issuer", async () => {
    expect(await codeOf(exchange(await stranger.signIn("writ-agents", "alice")))).toBe(
      "token.wrong_issuer",
    );
  });

  it("refuses an actor that cannot prove the agent's registered key, and a replayed actor token", async () => {
    const idToken = await provider.signIn("writ-agents", "alice");
    const impostor = createAgentIdentity(agent.id);
    expect(await codeOf(exchange(idToken, impostor))).toBe("token.invalid");

    const form = (actorToken: string) =>
      new URLSearchParams({
        grant_type: TOKEN_EXCHANGE_GRANT,
        subject_token: idToken,
        subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
        actor_token: actorToken,
        actor_token_type: "urn:ietf:params:oauth:token-type:jwt",
      });
    const post = (body: URLSearchParams) =>
      fetch(`${listening.url}/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body,
      });
    const actorToken = createActorToken(agent, { audience: AUDIENCE });
    expect((await post(form(actorToken))).status).toBe(200);
    const replayed = await post(form(actorToken));
    expect(replayed.status).toBe(400);
    expect(await replayed.json()).toMatchObject({ code: "token.replayed", error: "invalid_grant" });
    const elsewhere = await post(
      form(createActorToken(agent, { audience: "urn:writ:another-server" })),
    );
    expect(await elsewhere.json()).toMatchObject({ code: "token.wrong_audience" });
  });

  it("answers OAuth clients in RFC 6749 terms inside the problem document", async () => {
    const response = await fetch(`${listening.url}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials" }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toMatchObject({
      code: "token.unsupported",
      error: "unsupported_grant_type",
      status: 400,
    });
  });
});
