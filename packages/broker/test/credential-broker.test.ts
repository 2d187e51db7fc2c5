import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ProviderAccessToken } from "@writ/broker";
import { type AllowDecision, isWritError, type LedgerRecord, type WritError } from "@writ/core";
import { createLocalJWKSet, type JWK, jwtVerify } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { type BrokerWorld, createBrokerWorld } from "./support/broker-world.js";
import {
  API_RESOURCE,
  CLIENT_ID,
  CLIENT_SECRET,
  REDIRECT_URI,
} from "./support/test-authorization-server.js";

let world: BrokerWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function open(options?: { readonly accessTokenTtl?: number }): Promise<BrokerWorld> {
  world = await createBrokerWorld(options);
  return world;
}

/** The WritError a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<WritError> {
  try {
    await promise;
  } catch (error) {
    if (isWritError(error)) return error;
    throw error;
  }
  throw new Error("Expected a WritError, but it resolved.");
}

async function credentialRows(w: BrokerWorld, op: string): Promise<LedgerRecord[]> {
  const page = await w.store.queryLedger({ kind: "admin", limit: 1000 });
  return page.records.filter((row) => row.detail?.op === op);
}

/** A refresh made directly at the provider, as an attacker holding a stolen refresh token would. */
async function refreshDirectly(issuer: string, refreshToken: string): Promise<unknown> {
  const response = await fetch(`${issuer}/token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}`,
    },
    body: new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: refreshToken,
      resource: API_RESOURCE,
    }).toString(),
  });
  return response.json();
}

describe("connecting a user (authorization code + PKCE + resource indicator)", () => {
  it("asks for PKCE S256, the resource and every mapped scope, stores the connection, and records it", async () => {
    const w = await open();
    const started = await w.broker.startConnect({ user: "alice", provider: "mail" });
    const url = new URL(started.authorizationUrl);
    expect(url.origin).toBe(w.provider.issuer);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get("resource")).toBe(API_RESOURCE);
    expect(url.searchParams.get("redirect_uri")).toBe(REDIRECT_URI);
    expect(url.searchParams.get("scope")).toBe("calendar.read mail.read mail.send");
    expect(url.searchParams.get("state")).toBe(started.state);

    const callback = await w.provider.approve(started.authorizationUrl, "alice");
    const connection = await w.broker.completeConnect({
      provider: "mail",
      user: "alice",
      callback,
    });
    expect(connection).toMatchObject({
      user: "alice",
      provider: "mail",
      status: "active",
      scopes: ["calendar.read", "mail.read", "mail.send"],
    });
    expect(await w.broker.listConnections("alice")).toEqual([connection]);
    expect(JSON.stringify(connection)).not.toMatch(/token/i);
    const [row] = await credentialRows(w, "credential.connect");
    expect(row).toMatchObject({ user: "alice", outcome: "ok" });
    expect(row?.detail).toMatchObject({ provider: "mail", connection: connection.id });

    // The state is single use: the same callback again is refused before the provider is asked.
    const tokenRequests = w.provider.requests("/token");
    const replay = await failure(
      w.broker.completeConnect({ provider: "mail", user: "alice", callback }),
    );
    expect(replay.code).toBe("credential.state_invalid");
    expect(w.provider.requests("/token")).toBe(tokenRequests);
  });

  it("binds the flow to the user it was started for, and to its expiry", async () => {
    const w = await open();
    const forAlice = await w.broker.startConnect({ user: "alice", provider: "mail" });
    const callback = await w.provider.approve(forAlice.authorizationUrl, "alice");
    // Bob's browser brought back a flow started for Alice (a link someone sent him).
    const swapped = await failure(
      w.broker.completeConnect({ provider: "mail", user: "bob", callback }),
    );
    expect(swapped.code).toBe("credential.state_invalid");
    expect(await w.broker.listConnections("bob")).toEqual([]);
    // The attempt burned the state: not even Alice can use it now.
    expect(
      (await failure(w.broker.completeConnect({ provider: "mail", user: "alice", callback }))).code,
    ).toBe("credential.state_invalid");

    const late = await w.broker.startConnect({ user: "alice", provider: "mail" });
    const lateCallback = await w.provider.approve(late.authorizationUrl, "alice");
    w.advance(11 * 60_000);
    expect(
      (
        await failure(
          w.broker.completeConnect({ provider: "mail", user: "alice", callback: lateCallback }),
        )
      ).code,
    ).toBe("credential.state_invalid");
    expect(await w.broker.listConnections("alice")).toEqual([]);
  });

  it("reports a user who refused consent as credential.connect_denied", async () => {
    const w = await open();
    const started = await w.broker.startConnect({ user: "alice", provider: "mail" });
    const denied = new URL(REDIRECT_URI);
    denied.search = new URLSearchParams({
      error: "access_denied",
      state: started.state,
      iss: w.provider.issuer,
    }).toString();
    const refused = await failure(
      w.broker.completeConnect({ provider: "mail", user: "alice", callback: denied }),
    );
    expect(refused.code).toBe("credential.connect_denied");
    expect(await w.broker.listConnections("alice")).toEqual([]);
  });
});

describe("tokens inside an allowed call", () => {
  it("gives a running call a token with exactly its action's scopes, which the API accepts", async () => {
    const w = await open();
    await w.connect();
    const api = await startMailApi(w.provider.issuer, w.provider.publicJwk);
    try {
      const sent = await w.runWithToken("email.send", async (decision) => {
        const token = await w.broker.getAccessToken(decision, "mail");
        expect(token.scopes).toEqual(["mail.send"]);
        expect(JSON.stringify(token)).not.toContain(token.value);
        expect(String(token)).not.toContain(token.value);
        return (await fetch(`${api.url}/send`, { headers: { authorization: token.authorization } }))
          .status;
      });
      expect(sent).toBe(200);
      // The same token cannot read mail: it was narrowed to sending.
      const read = await w.runWithToken("email.send", async (decision) => {
        const token = await w.broker.getAccessToken(decision, "mail");
        return (await fetch(`${api.url}/read`, { headers: { authorization: token.authorization } }))
          .status;
      });
      expect(read).toBe(403);
      const readToken = (await w.runWithToken("email.read", (decision) =>
        w.broker.getAccessToken(decision, "mail"),
      )) as ProviderAccessToken;
      expect(readToken.scopes).toEqual(["mail.read"]);
      const claims = await api.verify(readToken.value);
      expect(claims.scope).toBe("mail.read");
      expect(claims.aud).toBe(API_RESOURCE);
    } finally {
      await api.close();
    }
    // Two scope sets, two refreshes; the second email.send call reused its token.
    expect(w.provider.requests("/token")).toBe(1 + 2);
    const refreshes = await credentialRows(w, "credential.refresh");
    expect(refreshes.map((row) => [row.action, row.outcome, row.detail?.scopes])).toEqual([
      ["email.send", "ok", "mail.send"],
      ["email.read", "ok", "mail.read"],
    ]);
    expect(refreshes[0]).toMatchObject({ user: "alice", agent: "mailer", kind: "admin" });
    expect(refreshes[0]?.callId).toEqual(expect.any(String));
  });

  it("refuses anything but a running call the guard allowed, and calls whose chain lost its authority", async () => {
    const w = await open();
    await w.connect();
    const code = async (decision: unknown, provider = "mail") =>
      (await failure(w.broker.getAccessToken(decision as AllowDecision, provider))).code;

    // Not allowed: a denial (the agent's policy has no such action) is no call to serve.
    const denied = await w.authorize("payments.send");
    expect(denied.effect).toBe("deny");
    expect(await code(denied)).toBe("credential.outside_call");
    // A decision object that the guard never made.
    const allowed = (await w.authorize("email.send")) as AllowDecision;
    expect(await code({ ...allowed, eventId: "0190a0b0-0000-7000-8000-000000000000" })).toBe(
      "credential.outside_call",
    );
    expect(await code({ ...allowed, action: "email.read" })).toBe("credential.outside_call");
    // A finished call: its outcome is recorded.
    await w.guard.complete(allowed, { ok: true, output: null });
    expect(await code(allowed)).toBe("credential.outside_call");
    // Too old.
    const old = await w.authorize("email.send");
    w.advance(121_000);
    expect(await code(old)).toBe("credential.call_expired");
    // An action the provider maps no scopes to.
    expect(await code(await w.authorize("docs.read"))).toBe("credential.no_scopes");
    expect(await code(await w.authorize("notes.write"))).toBe("credential.no_scopes");
    // A user who never connected.
    expect(await code(await w.authorize("email.send", "bob"))).toBe("credential.not_connected");
    // Authority lost while the call runs: permissions, then the agent, then the user.
    const running = await w.authorize("email.send");
    await w.store.setUserPermissions("alice", "calendar.read");
    expect(await code(running)).toBe("live.permission_denied");
    await w.store.setUserPermissions("alice", "email.*; calendar.read");
    const agentCall = await w.authorize("email.send");
    await w.store.revoke({ kind: "agent", id: "mailer" });
    expect(await code(agentCall)).toBe("revoked.agent");
    expect(w.provider.requests("/token")).toBe(1); // the code exchange: no token was ever minted
    await expect(w.broker.getAccessToken(running as AllowDecision, "nope")).rejects.toThrow(
      TypeError,
    );
  });

  it("refuses a revoked user", async () => {
    const w = await open();
    await w.connect();
    const running = await w.authorize("email.send");
    await w.store.revoke({ kind: "user", id: "alice" });
    const refused = await failure(w.broker.getAccessToken(running as AllowDecision, "mail"));
    expect(refused.code).toBe("revoked.user");
  });

  it("refuses an action whose scopes the user did not grant", async () => {
    const w = await open();
    const started = await w.broker.startConnect({
      user: "alice",
      provider: "mail",
      actions: ["calendar.read"],
    });
    expect(new URL(started.authorizationUrl).searchParams.get("scope")).toBe("calendar.read");
    await w.broker.completeConnect({
      provider: "mail",
      user: "alice",
      callback: await w.provider.approve(started.authorizationUrl, "alice"),
    });
    const refused = await failure(
      w.runWithToken("email.send", (decision) => w.broker.getAccessToken(decision, "mail")),
    );
    expect(refused.code).toBe("credential.scope_not_granted");
    const calendar = (await w.runWithToken("calendar.read", (decision) =>
      w.broker.getAccessToken(decision, "mail"),
    )) as ProviderAccessToken;
    expect(calendar.scopes).toEqual(["calendar.read"]);
  });
});

describe("refresh", () => {
  it("refreshes an expired token, storing the rotated refresh token, which the next refresh uses", async () => {
    const w = await open({ accessTokenTtl: 300 });
    await w.connect();
    const [firstRefresh] = [...w.seenTokens].filter((token) => !token.includes("."));
    const first = (await w.runWithToken("email.send", (decision) =>
      w.broker.getAccessToken(decision, "mail"),
    )) as ProviderAccessToken;
    expect(w.provider.requests("/token")).toBe(2);
    w.advance(301_000);
    const second = (await w.runWithToken("email.send", (decision) =>
      w.broker.getAccessToken(decision, "mail"),
    )) as ProviderAccessToken;
    expect(second.value).not.toBe(first.value);
    expect(second.expiresAt).toBeGreaterThan(first.expiresAt);
    expect(w.provider.requests("/token")).toBe(3);
    w.advance(301_000);
    await w.runWithToken("email.send", (decision) => w.broker.getAccessToken(decision, "mail"));
    expect(w.provider.requests("/token")).toBe(4);
    const rows = await credentialRows(w, "credential.refresh");
    expect(rows.map((row) => row.detail?.rotated)).toEqual([true, true, true]);
    // Every refresh rotated the refresh token and the broker kept up: the first one is long spent.
    expect(await refreshDirectly(w.provider.issuer, firstRefresh as string)).toMatchObject({
      error: "invalid_grant",
    });
  });

  it("sends one refresh to the provider for concurrent calls, in one process and across two", async () => {
    const w = await open();
    await w.connect();
    const before = w.provider.requests("/token");
    const other = w.anotherBroker();
    const tokens = (await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        w.runWithToken("email.send", (decision) =>
          (index % 2 === 0 ? w.broker : other).getAccessToken(decision, "mail"),
        ),
      ),
    )) as ProviderAccessToken[];
    expect(w.provider.requests("/token") - before).toBe(1);
    expect(new Set(tokens.map((token) => token.value)).size).toBe(1);
    expect(await credentialRows(w, "credential.refresh")).toHaveLength(1);

    // Different scope sets need their own tokens; their refreshes take turns, so rotation holds.
    w.advance(301_000);
    const mixed = (await Promise.all(
      ["email.send", "calendar.read", "email.read", "email.send"].map((action, index) =>
        w.runWithToken(action, (decision) =>
          (index % 2 === 0 ? w.broker : other).getAccessToken(decision, "mail"),
        ),
      ),
    )) as ProviderAccessToken[];
    expect(mixed.map((token) => token.scopes.join(" "))).toEqual([
      "mail.send",
      "calendar.read",
      "mail.read",
      "mail.send",
    ]);
    expect(w.provider.requests("/token") - before).toBe(1 + 3);
    expect((await w.broker.listConnections("alice"))[0]?.status).toBe("active");
  });
});

describe("failures", () => {
  it("marks the connection broken on invalid_grant: the user must connect again", async () => {
    const w = await open();
    await w.connect();
    await w.provider.dropGrants();
    const broken = await failure(
      w.runWithToken("email.send", (decision) => w.broker.getAccessToken(decision, "mail")),
    );
    expect(broken.code).toBe("credential.broken");
    expect(broken.message).toMatch(/connect again/);
    const [connection] = await w.broker.listConnections("alice");
    expect(connection).toMatchObject({ status: "broken", brokenReason: "credential.broken" });
    const [row] = await credentialRows(w, "credential.refresh");
    expect(row).toMatchObject({ outcome: "error", reason: "credential.broken" });
    // Broken stays broken, without asking the provider again, until the user reconnects.
    const requests = w.provider.requests("/token");
    expect(
      (
        await failure(
          w.runWithToken("email.send", (decision) => w.broker.getAccessToken(decision, "mail")),
        )
      ).code,
    ).toBe("credential.broken");
    expect(w.provider.requests("/token")).toBe(requests);
    await w.connect();
    const token = (await w.runWithToken("email.send", (decision) =>
      w.broker.getAccessToken(decision, "mail"),
    )) as ProviderAccessToken;
    expect(token.scopes).toEqual(["mail.send"]);
  });

  it("says clearly when the provider is down, and recovers when it is back", async () => {
    const w = await open();
    await w.connect();
    await w.provider.stop();
    const down = await failure(
      w.runWithToken("email.send", (decision) => w.broker.getAccessToken(decision, "mail")),
    );
    expect(down.code).toBe("credential.provider_unavailable");
    expect(down.message).toMatch(/Provider "mail" is unavailable/);
    expect(down.cause).toBeUndefined();
    expect((await w.broker.listConnections("alice"))[0]?.status).toBe("active");
    const fresh = w.anotherBroker(); // no discovery cached
    expect((await failure(fresh.startConnect({ user: "bob", provider: "mail" }))).code).toBe(
      "credential.provider_unavailable",
    );
    await w.provider.start();
    const token = (await w.runWithToken("email.send", (decision) =>
      w.broker.getAccessToken(decision, "mail"),
    )) as ProviderAccessToken;
    expect(token.scopes).toEqual(["mail.send"]);
  });
});

describe("disconnecting", () => {
  it("revokes the refresh token at the provider (RFC 7009), then deletes the connection", async () => {
    const w = await open();
    await w.connect();
    await w.runWithToken("email.send", (decision) => w.broker.getAccessToken(decision, "mail"));
    const refreshTokens = [...w.seenTokens].filter((token) => !token.includes("."));
    const current = refreshTokens[refreshTokens.length - 1] as string;
    expect(w.provider.requests("/token/revocation")).toBe(0);
    expect(await w.broker.disconnect({ user: "alice", provider: "mail" })).toEqual({
      removed: true,
      revoked: true,
    });
    expect(w.provider.requests("/token/revocation")).toBeGreaterThanOrEqual(1);
    expect(w.provider.revokedGrants).toHaveLength(1);
    expect(await refreshDirectly(w.provider.issuer, current)).toMatchObject({
      error: "invalid_grant",
    });
    expect(await w.broker.listConnections("alice")).toEqual([]);
    const [row] = await credentialRows(w, "credential.disconnect");
    expect(row?.detail).toMatchObject({ provider: "mail", revoked: true });
    expect(
      (
        await failure(
          w.runWithToken("email.send", (decision) => w.broker.getAccessToken(decision, "mail")),
        )
      ).code,
    ).toBe("credential.not_connected");
    expect(await w.broker.disconnect({ user: "alice", provider: "mail" })).toEqual({
      removed: false,
      revoked: false,
    });
  });

  it("keeps the connection when the provider cannot revoke, unless forced", async () => {
    const w = await open();
    await w.connect();
    await w.provider.stop();
    expect((await failure(w.broker.disconnect({ user: "alice", provider: "mail" }))).code).toBe(
      "credential.provider_unavailable",
    );
    expect(await w.broker.listConnections("alice")).toHaveLength(1);
    expect(await w.broker.disconnect({ user: "alice", provider: "mail", force: true })).toEqual({
      removed: true,
      revoked: false,
    });
    expect(await w.broker.listConnections("alice")).toEqual([]);
  });
});

/** A downstream API that accepts the provider's JWT access tokens for its resource, per scope. */
async function startMailApi(issuer: string, publicJwk: JWK) {
  const keys = createLocalJWKSet({ keys: [publicJwk] });
  const verify = async (token: string) =>
    (await jwtVerify(token, keys, { issuer, audience: API_RESOURCE })).payload;
  const server: Server = createServer(async (request, response) => {
    const need = request.url === "/send" ? "mail.send" : "mail.read";
    try {
      const claims = await verify((request.headers.authorization ?? "").replace(/^Bearer /, ""));
      const scopes = String(claims.scope ?? "").split(" ");
      response.writeHead(scopes.includes(need) ? 200 : 403).end();
    } catch {
      response.writeHead(401).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    verify,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
