import type { LiveSink } from "@writ/core/backend";
import { type StoreBackend, sqliteBackend } from "@writ/store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApiKey, createWritServer, type WritServer } from "../src/index.js";

/** A store whose live feed reaches the server late, as PostgreSQL's NOTIFY does on a busy machine. */
function withLateFeed(store: StoreBackend, delayMs: number): StoreBackend {
  return new Proxy(store, {
    get(target, name) {
      if (name === "watch") {
        return (sink: LiveSink) =>
          target.watch({
            snapshot: (snapshot) => sink.snapshot(snapshot),
            change: (change) => {
              setTimeout(() => sink.change(change), delayMs);
            },
            heartbeat: (at) => sink.heartbeat(at),
            fault: (error) => sink.fault(error),
          });
      }
      const value = Reflect.get(target, name, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("a revocation answered by a server", () => {
  let store: StoreBackend;
  let server: WritServer;
  const operator = createApiKey({ label: "operator" });

  beforeEach(async () => {
    store = await sqliteBackend({ path: ":memory:" });
    server = await createWritServer({
      store: withLateFeed(store, 300),
      apiKeys: [operator.record],
      audience: "urn:writ:read-your-writes",
    });
  });

  afterEach(async () => {
    await server.close();
    await store.close();
  });

  const call = (key: string, method: string, path: string, body?: unknown) =>
    server.app.request(path, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it("is already enforced by that server when it answers, however late its feed", async () => {
    const made = await call(operator.key, "POST", "/v1/api-keys", {
      scopes: ["read"],
      label: "dashboard",
    });
    const { key, apiKey } = (await made.json()) as { key: string; apiKey: { id: string } };
    expect((await call(key, "GET", "/v1/users")).status).toBe(200);
    const revoked = await call(operator.key, "POST", "/v1/revocations", {
      kind: "api_key",
      id: apiKey.id,
      reason: "leaked",
    });
    expect(revoked.status).toBe(200);
    expect((await call(key, "GET", "/v1/users")).status).toBe(401);
  });
});
