import { errorSpec, WRIT_ERROR_CODES, WritError, type WritErrorCode } from "@writ/core";
import { type StoreBackend, sqliteBackend } from "@writ/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauthError } from "../src/exchange/token-exchange.js";
import { createWritServer, type WritServer } from "../src/index.js";

/** Every error code, thrown inside a real server, as its HTTP client sees it. */
describe("the server's problem for each error code", () => {
  let store: StoreBackend;
  let server: WritServer;

  beforeAll(async () => {
    store = await sqliteBackend({ path: ":memory:" });
    server = await createWritServer({ store, apiKeys: [], audience: "urn:writ:http" });
    // A route that fails the way a handler deep inside the server would.
    server.app.get("/failing/:code", (c) => {
      throw new WritError(c.req.param("code") as WritErrorCode, "It failed here.", {
        name: "thing",
        retryAfter: 7,
        nested: { dropped: true },
      });
    });
  });

  afterAll(async () => {
    await server.close();
    await store.close();
  });

  it("answers with the registry's status, the code's problem type and its message", async () => {
    for (const code of WRIT_ERROR_CODES) {
      const response = await server.app.request(`/failing/${code}`);
      const { status } = errorSpec(code);
      expect(response.status, code).toBe(status);
      expect(response.headers.get("content-type"), code).toBe("application/problem+json");
      expect(response.headers.get("www-authenticate") !== null, code).toBe(status === 401);
      expect(response.headers.get("retry-after"), code).toBe(status === 429 ? "7" : null);
      const problem = (await response.json()) as Record<string, unknown>;
      expect(problem, code).toEqual({
        type: `https://writ.dev/problems/${code}`,
        title: expect.stringMatching(/^[A-Z][A-Za-z ]+$/),
        status,
        detail: "It failed here.",
        code,
        details: { name: "thing", retryAfter: 7 },
      });
    }
  });

  it("answers a WritError whose code it does not know (another copy's) as an internal error", async () => {
    const response = await server.app.request("/failing/store.melted");
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({
      code: "server.internal",
      detail: "The server failed while handling the request.",
    });
  });

  it("enumerates the codes in the OpenAPI document", async () => {
    const doc = (await (await server.app.request("/openapi.json")).json()) as {
      components: { schemas: { Problem: { properties: { code: { enum: string[] } } } } };
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(doc.components.schemas.Problem.properties.code.enum).toEqual([...WRIT_ERROR_CODES]);
    const statuses = new Set(WRIT_ERROR_CODES.map((code) => String(errorSpec(code).status)));
    const responses = Object.keys(doc.paths["/v1/users/{id}"]?.get?.responses ?? {});
    for (const status of statuses) expect(responses, status).toContain(status);
  });

  it("speaks RFC 6749 at the token endpoint: an oauth.* code is its own error, a DPoP proof's is invalid_dpop_proof (RFC 9449), retryable is temporarily_unavailable, other 5xx server_error", () => {
    for (const code of WRIT_ERROR_CODES) {
      const { status, retryable } = errorSpec(code);
      const error = oauthError(new WritError(code, "No."));
      if (code.startsWith("oauth.")) expect(error, code).toBe(code.slice("oauth.".length));
      else if (code.startsWith("dpop.") && !retryable)
        expect(error, code).toBe("invalid_dpop_proof");
      else if (retryable) expect(error, code).toBe("temporarily_unavailable");
      else if (status >= 500) expect(error, code).toBe("server_error");
      else expect(["invalid_request", "invalid_grant"], code).toContain(error);
    }
  });
});
