import { type StoreBackend, sqliteBackend } from "@writ/store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import serverPackage from "../package.json" with { type: "json" };
import {
  createApiKey,
  createWritServer,
  parseApiKey,
  type WritServer,
  type WritServerOptions,
} from "../src/index.js";

describe("the HTTP surface", () => {
  let store: StoreBackend;
  let servers: WritServer[];
  const operator = createApiKey({ label: "operator" });
  const auth = { authorization: `Bearer ${operator.key}` };

  async function server(options: Partial<WritServerOptions> = {}): Promise<WritServer> {
    const created = await createWritServer({
      store,
      apiKeys: [operator.record],
      audience: "urn:writ:http",
      ...options,
    });
    servers.push(created);
    return created;
  }

  beforeEach(async () => {
    store = await sqliteBackend({ path: ":memory:" });
    servers = [];
  });

  afterEach(async () => {
    for (const created of servers) await created.close();
    await store.close();
  });

  it("answers errors as RFC 9457 problems carrying Writ's codes", async () => {
    const { app } = await server();
    const missing = await app.request("/v1/users");
    expect(missing.status).toBe(401);
    expect(missing.headers.get("content-type")).toBe("application/problem+json");
    expect(missing.headers.get("www-authenticate")).toContain("Bearer");
    expect(await missing.json()).toMatchObject({
      type: "https://writ.dev/problems/auth.missing",
      title: "Unauthorized",
      status: 401,
      code: "auth.missing",
    });
    const unknown = await app.request("/v1/nothing-here", { headers: auth });
    expect(await unknown.json()).toMatchObject({ status: 404, code: "request.not_found" });
    const badGrant = await app.request("/v1/users/erin", {
      method: "PUT",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ permissions: "refunds.approve(amount <" }),
    });
    expect(badGrant.status).toBe(400);
    const problem = (await badGrant.json()) as {
      code: string;
      details: { line: number; column: number };
    };
    expect(problem.code).toBe("grant.syntax");
    expect(problem.details).toMatchObject({ line: 1, column: expect.any(Number) });
  });

  it("keeps API keys as hashes and refuses a wrong secret", async () => {
    const { app } = await server();
    const parsed = parseApiKey(operator.key);
    expect(parsed?.id).toBe(operator.record.id);
    expect(JSON.stringify(operator.record)).not.toContain(parsed?.secret as string);
    const forged = operator.key.slice(0, -4) + (operator.key.endsWith("AAAA") ? "BBBB" : "AAAA");
    const response = await app.request("/v1/users", {
      headers: { authorization: `Bearer ${forged}` },
    });
    expect(await response.json()).toMatchObject({ code: "auth.invalid" });
  });

  it("counts a body of no declared length as it arrives, against the same limit", async () => {
    const { app } = await server({ maxBodyBytes: 512 });
    const streamed = (text: string) =>
      app.request("/v1/users/alice", {
        method: "PUT",
        headers: { ...auth, "content-type": "application/json" },
        body: new Blob([text]).stream(),
        duplex: "half",
      } as RequestInit);
    const bigStream = await streamed(
      JSON.stringify({ permissions: "docs.read", pad: "x".repeat(1900) }),
    );
    expect(bigStream.status).toBe(413);
    expect(await bigStream.json()).toMatchObject({ code: "request.too_large" });
    expect((await streamed(JSON.stringify({ permissions: "docs.read" }))).status).toBe(200);
  });

  it("limits body sizes, request rates per key, and failed sign-ins per address", async () => {
    const { app } = await server({
      maxBodyBytes: 512,
      rateLimit: { perSecond: 0.001, burst: 3 },
      addressRateLimit: { perSecond: 0.001, burst: 2 },
    });
    const big = await app.request("/v1/users/alice", {
      method: "PUT",
      headers: { ...auth, "content-type": "application/json", "content-length": "2000" },
      body: JSON.stringify({ permissions: "docs.read", pad: "x".repeat(1900) }),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ code: "request.too_large" });
    const statuses: number[] = [];
    for (let index = 0; index < 4; index++)
      statuses.push((await app.request("/v1/users", { headers: auth })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await app.request("/v1/users", { headers: auth });
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    const guesses: number[] = [];
    for (let index = 0; index < 3; index++) {
      guesses.push(
        (
          await app.request("/v1/users", {
            headers: { authorization: "Bearer writ_0000000000000000.guess" },
          })
        ).status,
      );
    }
    expect(guesses).toEqual([401, 401, 429]);
  });

  it("binds to loopback unless told otherwise", async () => {
    const listening = await (await server()).listen({ port: 0 });
    try {
      expect(listening.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await fetch(`${listening.url}/healthz`);
      expect(await health.json()).toMatchObject({ ok: true });
    } finally {
      await listening.close();
    }
  });

  it("serves an OpenAPI document generated from the schemas that validate requests", async () => {
    const { app } = await server();
    const doc = (await (await app.request("/openapi.json")).json()) as {
      openapi: string;
      info: { version: string };
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: { $ref?: string } }> } }>
      >;
      components: {
        schemas: Record<string, { properties?: Record<string, { minimum?: number }> }>;
        securitySchemes: object;
      };
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.version).toBe(serverPackage.version);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual([
      "agentSignature",
      "apiKey",
    ]);
    expect(
      doc.paths["/v1/writs"]?.post?.requestBody?.content["application/json"]?.schema.$ref,
    ).toBe("#/components/schemas/Issue");
    const issue = doc.components.schemas.Issue;
    expect(Object.keys(issue?.properties ?? {})).toEqual([
      "user",
      "agent",
      "key",
      "grants",
      "ttl",
      "maxDepth",
    ]);
    expect(issue?.properties?.ttl?.minimum).toBe(1);
    // What the document says is invalid, the route refuses.
    const refused = await app.request("/v1/writs", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ user: "alice", agent: "bot", ttl: 0 }),
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: "request.invalid" });
    expect(doc.paths["/v1/live"]?.get).toBeDefined();
    expect(
      doc.paths["/oauth/token"]?.post?.requestBody?.content["application/x-www-form-urlencoded"],
    ).toBeDefined();
  });

  it("resumes the live feed from Last-Event-ID, or sends a snapshot when the changes are gone", async () => {
    const { app } = await server({ live: { replayBuffer: 3, heartbeatMs: 60_000 } });
    const events = async (lastEventId?: number) => {
      const response = await app.request("/v1/live", {
        headers: {
          ...auth,
          ...(lastEventId === undefined ? {} : { "last-event-id": String(lastEventId) }),
        },
      });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      let text = "";
      while (!/event: (heartbeat|fault)/.test(text))
        text += new TextDecoder().decode((await reader.read()).value);
      await reader.cancel();
      return text
        .split("\n\n")
        .filter(Boolean)
        .map((block) => {
          const event = /^event: (\w+)$/m.exec(block)?.[1];
          const id = /^id: (\d+)$/m.exec(block)?.[1];
          return `${event}${id ? `:${id}` : ""}`;
        });
    };
    expect(await events()).toEqual(["snapshot:0", "heartbeat"]);
    for (const user of ["u1", "u2", "u3", "u4", "u5"])
      await store.putUser({ id: user, permissions: "docs.read" });
    expect(await events(3)).toEqual(["change:4", "change:5", "heartbeat"]);
    expect(await events(1)).toEqual(["snapshot:5", "heartbeat"]);
    expect(await events(5)).toEqual(["heartbeat"]);
    const bad = await app.request("/v1/live", { headers: { ...auth, "last-event-id": "soon" } });
    expect(bad.status).toBe(400);
  });
});
