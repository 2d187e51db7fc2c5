import { SpanKind, trace } from "@opentelemetry/api";
import { fetchIssuerKeys, remoteBackend } from "@writ/client";
import { createAgentIdentity, createGuard, Session } from "@writ/core";
import { createApiKey, createWritServer, type ListeningWritServer } from "@writ/server";
import { type StoreBackend, sqliteBackend } from "@writ/store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type InMemoryTelemetry,
  installInMemoryTelemetry,
} from "../support/in-memory-telemetry.js";

const AUDIENCE = "urn:writ:tools";

describe("a guard on a remote backend, in the application's trace", () => {
  let telemetry: InMemoryTelemetry;
  let store: StoreBackend;
  let server: ListeningWritServer;

  beforeEach(async () => {
    telemetry = installInMemoryTelemetry();
    store = await sqliteBackend({ path: ":memory:" });
    await store.putUser({ id: "alice", permissions: "docs.read" });
  });

  afterEach(async () => {
    await server?.close();
    await store.close();
    await telemetry.uninstall();
  });

  it("has the server continue the guard's span: each request a server span under writ.authorize", async () => {
    const planner = createAgentIdentity("planner");
    await store.putAgent({ id: "planner", policy: "docs.read", keys: [planner] });
    const operator = createApiKey({ label: "operator" });
    server = await (
      await createWritServer({ store, apiKeys: [operator.record], audience: "urn:writ:server" })
    ).listen({ port: 0 });
    const guard = await createGuard({
      backend: remoteBackend({ url: server.url, apiKey: operator.key }),
      issuer: await fetchIssuerKeys({ url: server.url }),
      audience: AUDIENCE,
    });
    const session = new Session(planner, await store.issue({ user: "alice", agent: "planner" }));
    await trace.getTracer("the-application").startActiveSpan("agent step", async (step) => {
      const call = guard.callFrom(session, { action: "docs.read", tool: "read_doc", args: {} });
      await guard.run(call, () => "the document");
      step.end();
    });
    await guard.close();

    const spans = telemetry.spans();
    const idOf = (name: string) => only(spans, name).spanContext().spanId;
    const served = spans
      .filter((span) => span.kind === SpanKind.SERVER && span.parentSpanContext !== undefined)
      .map((span) => [span.name, span.parentSpanContext?.spanId]);
    // The new hop and the decision are recorded inside writ.authorize; the outcome after the tool ran.
    expect(served).toEqual([
      ["POST /v1/delegations", idOf("writ.authorize")],
      ["POST /v1/ledger/append", idOf("writ.authorize")],
      ["POST /v1/ledger/append", idOf("agent step")],
    ]);
    expect(only(spans, "POST /v1/delegations").attributes).toEqual({
      "http.request.method": "POST",
      "http.route": "/v1/delegations",
      "http.response.status_code": 204,
    });
  });
});

function only<T extends { name: string }>(spans: readonly T[], name: string): T {
  const found = spans.filter((span) => span.name === name);
  expect(found, name).toHaveLength(1);
  return found[0] as T;
}
