import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fetchIssuerKeys, type RemoteAdmin, remoteAdmin, remoteBackend } from "@writ/client";
import { type Backend, createAgentIdentity, createGuard, type Guard, Session } from "@writ/core";
import type { LiveSink } from "@writ/core/backend";
import { overrideBackend } from "@writ/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, postgresUrl } from "./support/postgres-database.js";
import { type BackgroundWrit, startWrit, writ } from "./support/run-writ.js";

const serverUrl = postgresUrl();
const REVOCATIONS = 100;

/** Calls `arrived` with each revoked id as it reaches a guard's live view, and the time (performance.now()). */
function tapRevocations(backend: Backend, arrived: (id: string, at: number) => void): Backend {
  return overrideBackend(backend, {
    watch: (sink: LiveSink) =>
      backend.watch({
        snapshot: (snapshot) => sink.snapshot(snapshot),
        change: (change) => {
          if (change.type === "revocation") arrived(change.revocation.id, performance.now());
          sink.change(change);
        },
        heartbeat: (at) => sink.heartbeat(at),
        fault: (error) => sink.fault(error),
      }),
  });
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

describe.runIf(serverUrl)("two `writ serve` processes on one PostgreSQL", () => {
  let cwd: string;
  let database: { url: string; drop(): Promise<void> };
  let servers: BackgroundWrit[] = [];
  let admin: RemoteAdmin;
  let guard: Guard;
  let apiKey: string;
  /** Who waits for which revocation to reach the guard. */
  const arrivals = new Map<string, (at: number) => void>();

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), "writ-two-servers-"));
    database = await createTestDatabase(serverUrl as string, "cli_two_servers");
    const env = { WRIT_DATABASE_URL: database.url };
    expect((await writ(["init"], { cwd, env })).code).toBe(0);
    // One after the other: the first applies the migrations.
    servers.push(
      await startWrit(["serve", "--port", "0", "--json", "--audience", "urn:writ:cluster"], {
        cwd,
        env,
      }),
    );
    servers.push(
      await startWrit(["serve", "--port", "0", "--json", "--audience", "urn:writ:cluster"], {
        cwd,
        env,
      }),
    );
    // The key lives in the database both servers read.
    const created = JSON.parse(
      (await writ(["api-keys", "create", "--json"], { cwd, env })).stdout,
    ) as {
      key: string;
    };
    apiKey = created.key;
    const [first, second] = servers.map((server) => server.ready.url as string) as [string, string];
    admin = remoteAdmin({ url: first, apiKey });
    guard = await createGuard({
      backend: tapRevocations(remoteBackend({ url: second, apiKey }), (id, at) =>
        arrivals.get(id)?.(at),
      ),
      issuer: await fetchIssuerKeys({ url: second }),
      audience: "urn:writ:tools",
    });
  });

  afterAll(async () => {
    await guard?.close();
    for (const server of servers) await server.stop();
    servers = [];
    await database?.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it("a revoke sent to one server is enforced by a guard connected to the other; the delay is measured", async () => {
    const [first, second] = servers.map((server) => server.ready.url as string);
    expect(first).not.toBe(second);
    const planner = createAgentIdentity("planner");
    const worker = createAgentIdentity("worker");
    await admin.putUser({ id: "alice", permissions: "docs.read" });
    await admin.putAgent({ id: "planner", policy: "docs.read", keys: [planner] });
    await admin.putAgent({ id: "worker", policy: "docs.read", keys: [worker] });
    const root = new Session(planner, await admin.issue({ user: "alice", agent: "planner" }));
    const read = (session: Session) =>
      guard.authorize(guard.callFrom(session, { action: "docs.read", tool: "read_doc", args: {} }));
    // The guard learns the new agents through the second server's feed, however long that takes here.
    while ((await read(root)).effect !== "allow") {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    const delays: number[] = [];
    for (let index = 0; index < REVOCATIONS; index++) {
      const session = root.delegate(worker, { grants: "docs.read" });
      expect(await read(session)).toMatchObject({ effect: "allow" });
      const jti = session.writ.leaf.claims.jti;
      const arrived = new Promise<number>((resolve) => arrivals.set(jti, resolve));
      const sent = performance.now();
      await admin.revoke({ kind: "hop", id: jti, reason: `measurement ${index}` });
      delays.push((await arrived) - sent);
      expect(await read(session)).toMatchObject({ effect: "deny", code: "revoked.hop", hop: 1 });
    }
    expect(await read(root)).toMatchObject({ effect: "allow" });
    const sorted = [...delays].sort((a, b) => a - b);
    const p50 = percentile(sorted, 0.5);
    const p99 = percentile(sorted, 0.99);
    console.log(
      `\n  cross-server revocation (revoke → server A → PostgreSQL NOTIFY → server B → SSE → guard), ${REVOCATIONS} revocations: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${(sorted.at(-1) as number).toFixed(2)} ms\n`,
    );
    expect(delays).toHaveLength(REVOCATIONS);
  });
});
