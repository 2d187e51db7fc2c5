import { randomBytes } from "node:crypto";
import { CredentialKeyring, createCredentialBroker } from "@writ/broker";
import { type StoreBackend, sqliteBackend } from "@writ/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, createWritServer, type WritServer } from "../src/index.js";

/**
 * Bad request bodies are bad requests: on every route of the OpenAPI
 * document that takes a body, a body that does not parse, is cut short, is
 * not UTF-8 or is not of the route's media type is answered 400 or 415 as a
 * problem with a code, never 500.
 */
describe("request bodies on every route that takes one", () => {
  let store: StoreBackend;
  let server: WritServer;
  const operator = createApiKey({ label: "operator" });

  interface BodyRoute {
    readonly method: string;
    readonly path: string;
    readonly mediaType: string;
  }
  let routes: BodyRoute[] = [];

  beforeAll(async () => {
    store = await sqliteBackend({ path: ":memory:" });
    server = await createWritServer({
      store,
      apiKeys: [operator.record],
      audience: "urn:writ:bodies",
      // Every optional route on: nothing is contacted, bodies are refused before.
      tokenExchange: {
        identityProviders: [{ issuer: "https://login.example.test", clientId: "writ" }],
      },
      credentials: createCredentialBroker({
        store: store.credentials,
        ledger: store,
        keyring: new CredentialKeyring({ keys: [{ id: "k1", key: randomBytes(32) }] }),
        providers: [
          {
            id: "mail",
            issuer: "https://mail.example.test",
            clientId: "writ",
            clientSecret: "secret",
            redirectUri: "https://app.example.test/callback",
            scopes: { "email.send": ["mail.send"] },
          },
        ],
      }),
    });
    const doc = (await (await server.app.request("/openapi.json")).json()) as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>>;
    };
    routes = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.entries(operations).flatMap(([method, operation]) =>
        operation.requestBody
          ? Object.keys(operation.requestBody.content).map((mediaType) => ({
              method: method.toUpperCase(),
              path: path.replace(/\{[^}]+\}/g, "x"),
              mediaType,
            }))
          : [],
      ),
    );
  });

  afterAll(async () => {
    await server?.close();
    await store?.close();
  });

  const send = async (route: BodyRoute, body: string | Uint8Array, contentType?: string) =>
    server.app.request(route.path, {
      method: route.method,
      headers: {
        authorization: `Bearer ${operator.key}`,
        ...(contentType === undefined ? {} : { "content-type": contentType }),
      },
      body,
    });

  const json = (route: BodyRoute) => route.mediaType === "application/json";
  const cases: readonly {
    readonly name: string;
    readonly request: (route: BodyRoute) => Promise<Response>;
    readonly status: number;
    readonly code: string;
  }[] = [
    {
      name: "malformed",
      request: (route) => send(route, json(route) ? "{not json" : "a=%zz&=&&", route.mediaType),
      status: 400,
      code: "request.invalid",
    },
    {
      name: "truncated",
      request: (route) => send(route, '{"id": "ab', route.mediaType),
      status: 400,
      code: "request.invalid",
    },
    {
      name: "not UTF-8",
      request: (route) =>
        send(
          route,
          new Uint8Array([0x7b, 0x22, 0x61, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
          route.mediaType,
        ),
      status: 400,
      code: "request.invalid",
    },
    {
      name: "JSON sent as text/plain",
      request: (route) => send(route, '{"id":"x"}', "text/plain"),
      status: 415,
      code: "request.unsupported_media_type",
    },
    {
      name: "JSON sent without a content type",
      request: (route) => send(route, '{"id":"x"}'),
      status: 415,
      code: "request.unsupported_media_type",
    },
  ];

  it("covers the routes the API has", () => {
    expect(routes.length).toBeGreaterThanOrEqual(20);
    expect(routes).toContainEqual({
      method: "POST",
      path: "/v1/users/x/connections/x/callback",
      mediaType: "application/json",
    });
    expect(routes).toContainEqual({
      method: "POST",
      path: "/oauth/token",
      mediaType: "application/x-www-form-urlencoded",
    });
  });

  it.each(cases.map((entry) => [entry.name, entry] as const))(
    "answers a %s body with a problem and a code, never 500",
    async (_name, entry) => {
      const wrong: string[] = [];
      for (const route of routes) {
        const response = await entry.request(route);
        const problem = (await response.json()) as { code?: string };
        // A form that does not parse as one reads as an odd form: the token endpoint
        // refuses it for what it lacks, with its own code (still a 400).
        const lenientForm = !json(route) && entry.status === 400 && entry.name !== "not UTF-8";
        if (
          response.status !== entry.status ||
          response.headers.get("content-type") !== "application/problem+json" ||
          (lenientForm ? typeof problem.code !== "string" : problem.code !== entry.code)
        ) {
          wrong.push(`${route.method} ${route.path}: ${response.status} ${problem.code}`);
        }
      }
      expect(wrong).toEqual([]);
    },
  );
});
