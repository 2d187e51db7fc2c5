import { fetchIssuerKeys, remoteBackend } from "@writ/client";
import {
  type AgentIdentity,
  type Backend,
  createAgentIdentity,
  createGuard,
  type Guard,
  Session,
} from "@writ/core";
import type { LiveSink } from "@writ/core/backend";
import { overrideBackend } from "@writ/core/testing";
import { createApiKey, createWritServer, type ListeningWritServer } from "@writ/server";
import { type StoreBackend, sqliteBackend } from "@writ/store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eventually } from "../../../test/support/eventually.js";

const AUDIENCE = "urn:writ:tools";
const read = (guard: Guard, session: Session) =>
  guard.authorize(guard.callFrom(session, { action: "docs.read", tool: "read_doc", args: {} }));

describe("the remote live feed", () => {
  let store: StoreBackend;
  let listening: ListeningWritServer[];
  let guards: Guard[];
  let planner: AgentIdentity;
  let worker: AgentIdentity;
  const operator = createApiKey({ label: "operator" });
  const tenantA = createApiKey({ tenant: "a", scopes: ["guard"], label: "tenant a guard" });

  async function serve(port = 0, heartbeatMs = 50): Promise<ListeningWritServer> {
    const server = await createWritServer({
      store,
      apiKeys: [operator.record, tenantA.record],
      audience: "urn:writ:feed-test",
      live: { heartbeatMs },
    });
    const running = await server.listen({ port });
    listening.push(running);
    return running;
  }

  async function guardOn(url: string, apiKey = operator.key, backend?: Backend): Promise<Guard> {
    const guard = await createGuard({
      backend:
        backend ??
        remoteBackend({
          url,
          apiKey,
          live: { reconnectDelayMs: 20, maxReconnectDelayMs: 100, idleTimeoutMs: 1000 },
        }),
      issuer: await fetchIssuerKeys({ url }),
      audience: AUDIENCE,
      maxStalenessMs: 400,
    });
    guards.push(guard);
    return guard;
  }

  beforeEach(async () => {
    store = await sqliteBackend({ path: ":memory:" });
    listening = [];
    guards = [];
    planner = createAgentIdentity("planner");
    worker = createAgentIdentity("worker");
    await store.putUser({ id: "alice", permissions: "docs.read" });
    await store.putAgent({ id: "planner", policy: "docs.read", keys: [planner] });
    await store.putAgent({ id: "worker", policy: "docs.read", keys: [worker] });
  });

  afterEach(async () => {
    for (const guard of guards) await guard.close();
    for (const running of listening) await running.close();
    await store.close();
  });

  it("fails the guard closed while disconnected, then catches up by Last-Event-ID", async () => {
    const first = await serve();
    const guard = await guardOn(first.url);
    const root = new Session(planner, await store.issue({ user: "alice", agent: "planner" }));
    const revoked = root.delegate(worker, { grants: "docs.read" });
    const kept = root.delegate(worker, { grants: "docs.read" });
    expect(await read(guard, revoked)).toMatchObject({ effect: "allow" });

    await first.close();
    // checkWrit records nothing: with the server gone, authorize() would say ledger.unavailable first.
    await eventually(() => {
      const check = guard.checkWrit(kept.writ.toString());
      return !check.valid && check.code === "live.unavailable";
    }, "the guard fails closed");
    expect(await read(guard, kept)).toMatchObject({ effect: "deny" });
    // Revoked while no server is up: the guard must learn it on reconnect.
    await store.revoke({ kind: "hop", id: revoked.writ.leaf.claims.jti });
    await store.putUser({ id: "carol", permissions: "docs.read" });

    await serve(first.port);
    await eventually(
      async () => (await read(guard, kept)).effect === "allow",
      "the feed reconnects",
    );
    expect(await read(guard, revoked)).toMatchObject({ effect: "deny", code: "revoked.hop" });
  });

  it("goes stale without heartbeats, and stays fresh with them", async () => {
    const quiet = await serve(0, 60_000);
    const session = new Session(planner, await store.issue({ user: "alice", agent: "planner" }));
    const silent = await guardOn(quiet.url);
    const beating = await guardOn((await serve(0, 50)).url);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(await read(silent, session)).toMatchObject({ effect: "deny", code: "live.stale" });
    expect(await read(beating, session)).toMatchObject({ effect: "allow" });
  });

  it("keeps a tenant's feed in sequence across other tenants' changes it does not see", async () => {
    const running = await serve();
    await store.putTenant("a");
    await store.putUser({ id: "ann", tenant: "a", permissions: "docs.read" });
    const agent = createAgentIdentity("a-bot");
    await store.putAgent({ id: "a-bot", tenant: "a", policy: "docs.read", keys: [agent] });
    let snapshots = 0;
    const backend = remoteBackend({ url: running.url, apiKey: tenantA.key });
    const counting = overrideBackend(backend, {
      watch: (sink: LiveSink) =>
        backend.watch({
          snapshot: (snapshot) => {
            snapshots++;
            sink.snapshot(snapshot);
          },
          change: (change) => sink.change(change),
          heartbeat: (at) => sink.heartbeat(at),
          fault: (error) => sink.fault(error),
        }),
    });
    const guard = await guardOn(running.url, tenantA.key, counting);
    const session = new Session(agent, await store.issue({ user: "ann", agent: "a-bot" }));
    expect(await read(guard, session)).toMatchObject({ effect: "allow", tenant: "a" });
    for (let index = 0; index < 5; index++) {
      await store.putUser({ id: `other-${index}`, permissions: "docs.read" });
      await store.revoke({ kind: "user", id: `other-${index}` });
    }
    await store.revoke({ kind: "user", id: "ann" });
    await eventually(
      async () => (await read(guard, session)).code === "revoked.user",
      "ann's revocation arrives",
    );
    expect(snapshots).toBe(1);
  });
});
