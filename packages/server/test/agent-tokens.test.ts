import { createHash, randomUUID } from "node:crypto";
import { createAgentIdentity } from "@writ/core";
import { signCompactJws } from "@writ/core/backend";
import { fixedClock } from "@writ/core/testing";
import { type StoreBackend, sqliteBackend } from "@writ/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, createWritServer, type WritServer } from "../src/index.js";

const AUDIENCE = "urn:writ:agent-tokens";
const START = Date.UTC(2026, 0, 1, 9);

/**
 * Agent-signed requests (and actor tokens, verified the same way): a token
 * issued in the future beyond the skew is refused, and a token is accepted
 * once over its whole acceptable life, not just the replay cache's default.
 */
describe("agent tokens", () => {
  let store: StoreBackend;
  let server: WritServer;
  const clock = fixedClock(START);
  const agent = createAgentIdentity("bot");

  beforeAll(async () => {
    store = await sqliteBackend({ path: ":memory:", clock });
    server = await createWritServer({
      store,
      apiKeys: [createApiKey({}).record],
      audience: AUDIENCE,
      clock,
      agentTokenLifetime: 300,
      clockSkew: 60,
    });
    await store.putAgent({ id: agent.id, policy: "docs.read", keys: [agent] });
  });

  afterAll(async () => {
    await server?.close();
    await store?.close();
  });

  /** A request signed by the agent, issued at `iat` (epoch s) and living `ttl` s. */
  function signedRequest(iat: number, ttl: number, jwk: object = agent.key.publicJwk) {
    const body = JSON.stringify({ kind: "hop", id: "a-hop-nobody-recorded" });
    const token = signCompactJws(
      { alg: "EdDSA", typ: "writ-agent+jwt", jwk },
      {
        iss: agent.id,
        sub: agent.id,
        aud: AUDIENCE,
        iat,
        exp: iat + ttl,
        jti: randomUUID(),
        htm: "POST",
        htp: "/v1/revocations",
        bh: createHash("sha256").update(body).digest("base64url"),
      },
      agent.key,
    );
    return () =>
      server.app.request("/v1/revocations", {
        method: "POST",
        headers: { authorization: `WritAgent ${token}`, "content-type": "application/json" },
        body,
      });
  }

  /** Authenticated requests get past authentication: the agent may not revoke an unknown hop (403). */
  const AUTHENTICATED = 403;
  const now = () => Math.floor(clock() / 1000);

  it("refuses a token issued further in the future than the skew allows", async () => {
    clock.set(START);
    const ahead = await signedRequest(now() + 3600, 300)();
    expect(ahead.status).toBe(401);
    expect(await ahead.json()).toMatchObject({ code: "auth.invalid" });
    expect((await signedRequest(now() + 60, 300)()).status).toBe(AUTHENTICATED);
  });

  it("accepts a token once over its whole life: issued at the skew's edge, replayed just before it expires", async () => {
    clock.set(START + 10_000_000);
    const send = signedRequest(now() + 60, 300);
    expect((await send()).status).toBe(AUTHENTICATED);
    // exp = t + 360 s; with 60 s of skew it is accepted until t + 420 s.
    clock.advance(419_000);
    const replayed = await send();
    expect(replayed.status).toBe(401);
    expect(((await replayed.json()) as { detail: string }).detail).toMatch(/already used/);
    clock.advance(2_000);
    expect(((await (await send()).json()) as { detail: string }).detail).toMatch(/did not verify/);
  });

  it("refuses a header key with members beyond kty, crv and x", async () => {
    clock.set(START + 20_000_000);
    for (const extra of [{ kid: "bot-key" }, { alg: "EdDSA" }, { use: "sig" }]) {
      const response = await signedRequest(now(), 60, { ...agent.key.publicJwk, ...extra })();
      expect(response.status).toBe(401);
    }
  });
});
