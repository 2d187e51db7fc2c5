import { fetchIssuerKeys, remoteBackend, signAgentRequest } from "@writ/client";
import { type AgentIdentity, createAgentIdentity, createGuard, Session } from "@writ/core";
import { createApiKey, createWritServer, type ListeningWritServer } from "@writ/server";
import { type StoreBackend, sqliteBackend } from "@writ/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const AUDIENCE = "urn:writ:signed-requests";

describe("agent-signed requests", () => {
  let store: StoreBackend;
  let listening: ListeningWritServer;
  const operator = createApiKey({});
  const planner = createAgentIdentity("planner");
  const worker = createAgentIdentity("worker");
  const outsider = createAgentIdentity("outsider");
  let root: Session;
  let child: Session;

  beforeAll(async () => {
    store = await sqliteBackend({ path: ":memory:" });
    const server = await createWritServer({
      store,
      apiKeys: [operator.record],
      audience: AUDIENCE,
    });
    listening = await server.listen({ port: 0 });
    await store.putUser({ id: "alice", permissions: "docs.read" });
    for (const agent of [planner, worker, outsider]) {
      await store.putAgent({ id: agent.id, policy: "docs.read", keys: [agent] });
    }
    root = new Session(planner, await store.issue({ user: "alice", agent: "planner" }));
    child = root.delegate(worker, { grants: "docs.read" });
    // A guard seeing the child hop records it in the delegation graph.
    const guard = await createGuard({
      backend: remoteBackend({ url: listening.url, apiKey: operator.key }),
      issuer: await fetchIssuerKeys({ url: listening.url }),
      audience: "urn:writ:tools",
    });
    expect(
      await guard.authorize(guard.callFrom(child, { action: "docs.read", tool: "read", args: {} })),
    ).toMatchObject({
      effect: "allow",
    });
    await guard.close();
  });

  afterAll(async () => {
    await listening?.close();
    await store?.close();
  });

  function signed(agent: AgentIdentity, body: unknown, sentBody = JSON.stringify(body)) {
    const authorization = signAgentRequest(
      agent,
      { method: "POST", path: "/v1/revocations", body: JSON.stringify(body) },
      { audience: AUDIENCE },
    );
    const send = () =>
      fetch(`${listening.url}/v1/revocations`, {
        method: "POST",
        headers: { authorization, "content-type": "application/json" },
        body: sentBody,
      });
    return send;
  }

  it("lets an agent revoke a hop it delegated, attributed to it", async () => {
    const jti = child.writ.leaf.claims.jti;
    const response = await signed(planner, { kind: "hop", id: jti, reason: "task done" })();
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ kind: "hop", id: jti, reason: "task done" });
    const [event] = (await store.queryLedger({ kind: "revocation" })).records;
    expect(event?.detail).toMatchObject({
      target: "hop",
      id: jti,
      reason: "task done",
      by: "agent:planner",
    });
  });

  it("refuses an agent revoking what it neither delegated nor holds, or someone else's key", async () => {
    const hop = await signed(outsider, { kind: "hop", id: root.writ.root.claims.jti })();
    expect(hop.status).toBe(403);
    expect(await hop.json()).toMatchObject({ code: "auth.forbidden" });
    expect((await signed(outsider, { kind: "key", id: planner.thumbprint })()).status).toBe(403);
    expect((await signed(outsider, { kind: "user", id: "alice" })()).status).toBe(403);
    expect((await store.listRevocations()).items.map((revocation) => revocation.kind)).toEqual([
      "hop",
    ]);
  });

  it("refuses replays, other bodies and unregistered keys", async () => {
    const send = signed(worker, { kind: "key", id: worker.thumbprint });
    expect((await send()).status).toBe(200);
    const replay = await send();
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ code: "auth.invalid" });
    const tampered = signed(
      planner,
      { kind: "key", id: planner.thumbprint },
      JSON.stringify({ kind: "user", id: "alice" }),
    );
    expect((await tampered()).status).toBe(401);
    const stranger = createAgentIdentity("planner");
    expect((await signed(stranger, { kind: "key", id: stranger.thumbprint })()).status).toBe(401);
    // The revoked key no longer signs anything.
    expect((await signed(worker, { kind: "key", id: worker.thumbprint })()).status).toBe(401);
  });
});
