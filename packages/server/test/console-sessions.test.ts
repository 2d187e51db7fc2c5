import { sqliteBackend } from "@writ/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWritServer, type WritServer } from "../src/index.js";

/**
 * Console sessions as the API sees them: a cookie (HttpOnly, SameSite), a
 * role whose scopes the API enforces like a key's, a CSRF token on every
 * change, and sign-ins that end with their key and on sign-out.
 */
describe("console sessions", () => {
  let store: Awaited<ReturnType<typeof sqliteBackend>>;
  let server: WritServer;
  let adminKey: string;

  beforeAll(async () => {
    store = await sqliteBackend({ path: ":memory:" });
    adminKey = (await store.createApiKey({ label: "ops" })).key;
    server = await createWritServer({ store, audience: "urn:writ:sessions" });
    await store.putUser({ id: "alice", permissions: "docs.read" });
  });

  afterAll(async () => {
    await server?.close();
    await store?.close();
  });

  async function signIn(key: string) {
    const response = await server.app.request("/console/sign-in", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ apiKey: key }).toString(),
    });
    const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const page = await server.app.request("/console", { headers: { cookie } });
    const csrf = /name="writ-csrf" content="([^"]+)"/.exec(await page.text())?.[1] ?? "";
    return { response, cookie, csrf };
  }

  it("sets an HttpOnly, SameSite cookie and never puts the key in a page", async () => {
    const { response, cookie, csrf } = await signIn(adminKey);
    expect(response.status).toBe(303);
    expect(response.headers.get("set-cookie")).toMatch(/HttpOnly; SameSite=Strict/);
    const page = await (
      await server.app.request("/console/directory", { headers: { cookie } })
    ).text();
    expect(page).not.toContain(adminKey.split(".")[1]);
    expect(page).not.toContain(cookie.split("=")[1]);
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("refuses a change without the page's CSRF token, or from another origin", async () => {
    const { cookie, csrf } = await signIn(adminKey);
    const change = (headers: Record<string, string>) =>
      server.app.request("/v1/users/alice/permissions", {
        method: "PUT",
        headers: { cookie, "content-type": "application/json", ...headers },
        body: JSON.stringify({ permissions: "docs.*" }),
      });
    expect((await change({})).status).toBe(403);
    expect((await change({ "x-writ-csrf": csrf, origin: "https://evil.example" })).status).toBe(
      403,
    );
    expect((await change({ "x-writ-csrf": csrf })).status).toBe(200);
  });

  it("acts with the role's scopes: a viewer reads but may not change, a guard key may not sign in", async () => {
    const viewer = await signIn((await store.createApiKey({ scopes: ["read"] })).key);
    expect(
      (await server.app.request("/v1/users", { headers: { cookie: viewer.cookie } })).status,
    ).toBe(200);
    const put = await server.app.request("/v1/users/alice/permissions", {
      method: "PUT",
      headers: {
        cookie: viewer.cookie,
        "x-writ-csrf": viewer.csrf,
        "content-type": "application/json",
      },
      body: JSON.stringify({ permissions: "everything.*" }),
    });
    expect(put.status).toBe(403);
    const guard = await signIn((await store.createApiKey({ scopes: ["guard"] })).key);
    expect(guard.response.status).toBe(400);
    expect(guard.cookie).toBe("");
  });

  it("ends with its API key's revocation, and on sign-out", async () => {
    const made = await store.createApiKey({ scopes: ["approve"] });
    const session = await signIn(made.key);
    expect(
      (await server.app.request("/v1/approvals", { headers: { cookie: session.cookie } })).status,
    ).toBe(200);
    await store.revoke({ kind: "api_key", id: made.apiKey.id });
    expect(
      (await server.app.request("/v1/approvals", { headers: { cookie: session.cookie } })).status,
    ).toBe(401);
    const other = await signIn(adminKey);
    await server.app.request("/console/sign-out", {
      method: "POST",
      headers: { cookie: other.cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf: other.csrf }).toString(),
    });
    expect(
      (await server.app.request("/v1/users", { headers: { cookie: other.cookie } })).status,
    ).toBe(401);
  });

  it("is off with { console: { enabled: false } }", async () => {
    const off = await createWritServer({
      store,
      audience: "urn:writ:off",
      console: { enabled: false },
    });
    expect((await off.app.request("/console")).status).toBe(404);
    await off.close();
  });
});
