import { isWritError, WRIT_ERROR_CODES, WritError, type WritErrorCode } from "@writ/core";
import { createWritServer, type WritServer } from "@writ/server";
import { type StoreBackend, sqliteBackend } from "@writ/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpTransport } from "../src/http-transport.js";

const URL_BASE = "http://127.0.0.1:8080";

/** A transport whose requests are answered by `answer`. */
function transportTo(answer: (request: Request) => Response | Promise<Response>): HttpTransport {
  return new HttpTransport({
    url: URL_BASE,
    apiKey: "writ_test.secret",
    fetch: async (input, init) => answer(new Request(input, init)),
  });
}

async function failureOf(transport: HttpTransport, path: string): Promise<unknown> {
  return transport.json("GET", path).then(
    () => expect.unreachable("the request succeeded"),
    (error: unknown) => error,
  );
}

describe("a server's problem, back in the client", () => {
  let store: StoreBackend;
  let server: WritServer;

  beforeAll(async () => {
    store = await sqliteBackend({ path: ":memory:" });
    server = await createWritServer({ store, apiKeys: [], audience: "urn:writ:http" });
    server.app.get("/failing/:code", (c) => {
      throw new WritError(c.req.param("code") as WritErrorCode, "It failed there.", { hop: 1 });
    });
  });

  afterAll(async () => {
    await server.close();
    await store.close();
  });

  it("is the WritError with the same code, message and details, for every code", async () => {
    const transport = transportTo((request) => server.app.fetch(request));
    for (const code of WRIT_ERROR_CODES) {
      const error = await failureOf(transport, `/failing/${code}`);
      if (code === "request.invalid") {
        // What the server refused as invalid is caller misuse, as a local store throws it.
        expect(error, code).toBeInstanceOf(TypeError);
        continue;
      }
      expect(isWritError(error), code).toBe(true);
      expect(error, code).toMatchObject({
        code,
        message: "It failed there.",
        details: { hop: 1 },
      });
    }
  });

  it("is server.internal, naming what arrived, when the code is not one this client knows", async () => {
    const problem = (code: unknown) =>
      transportTo(() =>
        Response.json(
          { type: "about:blank", title: "Teapot", status: 503, detail: "Brewing.", code },
          { status: 503, headers: { "content-type": "application/problem+json" } },
        ),
      );
    const newer = await failureOf(problem("store.melted"), "/v1/users");
    expect(newer).toMatchObject({ code: "server.internal", details: { status: 503 } });
    expect((newer as Error).message).toBe(
      'the Writ server at 127.0.0.1:8080 answered 503 with the error code "store.melted", which this @writ/client does not know: use a client as new as the server. It said: Brewing.',
    );
    const odd = await failureOf(problem("<script>eyJhbGciOi…</script>"), "/v1/users");
    expect(odd).toMatchObject({ code: "server.internal" });
    expect((odd as Error).message).toContain("answered 503 with a malformed error code, which");
    expect((odd as Error).message).not.toContain("eyJ");
  });

  it("is store.unavailable for a 5xx without a problem document, as from a proxy", async () => {
    const proxy = transportTo(() => new Response("<h1>Bad Gateway</h1>", { status: 502 }));
    expect(await failureOf(proxy, "/v1/users")).toMatchObject({ code: "store.unavailable" });
  });
});
