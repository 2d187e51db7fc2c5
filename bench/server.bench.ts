/**
 * @writ/server and @writ/client: how fast a revocation reaches a remote
 * guard through the server's live feed (server-sent events), and what a
 * guarded call costs when its backend is a Writ server over loopback HTTP,
 * beside the same call on the embedded SQLite store in the same process.
 */

import { fetchIssuerKeys, remoteBackend } from "@writ/client";
import { type Backend, createAgentIdentity, createGuard, type Guard, Session } from "@writ/core";
import type { LiveSink } from "@writ/core/backend";
import { overrideBackend } from "@writ/core/testing";
import { createApiKey, createWritServer } from "@writ/server";
import { sqliteBackend } from "@writ/store";
import { interleaved, type Subject } from "./interleaved.js";
import { median, p99, type Samples } from "./measure.js";
import type { BenchResult } from "./result.js";

const GROUP = "server";
const CALL = { action: "docs.read", tool: "read_doc", args: { id: "d-1" } };

/** Passes a backend's feed through, noting when each revocation arrives (performance.now()). */
function tapped(backend: Backend, arrivals: Map<string, number>): Backend {
  return overrideBackend(backend, {
    watch: (sink: LiveSink) =>
      backend.watch({
        snapshot: (snapshot) => sink.snapshot(snapshot),
        change: (change) => {
          if (change.type === "revocation") arrivals.set(change.revocation.id, performance.now());
          sink.change(change);
        },
        heartbeat: (at) => sink.heartbeat(at),
        fault: (error) => sink.fault(error),
      }),
  });
}

const sortedSamples = (perOp: readonly number[]): Samples => ({
  perOpMicros: [...perOp].sort((a, b) => a - b),
});

export async function runServerBenchmarks(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  // "normal" sync: the server's durability is not what these figures compare.
  const store = await sqliteBackend({ path: ":memory:", synchronous: "normal" });
  const { key, record } = createApiKey({ label: "bench" });
  const server = await createWritServer({
    store,
    apiKeys: [record],
    audience: "urn:writ:bench",
    rateLimit: { perSecond: 1_000_000, burst: 1_000_000 },
  });
  const listening = await server.listen({ port: 0 });
  const guards: Guard[] = [];
  try {
    const planner = createAgentIdentity("planner");
    const worker = createAgentIdentity("worker");
    await store.putUser({ id: "alice", permissions: "docs.read" });
    await store.putAgent({ id: "planner", policy: "docs.read", keys: [planner] });
    await store.putAgent({ id: "worker", policy: "docs.read", keys: [worker] });
    const arrivals = new Map<string, number>();
    const remote = await createGuard({
      backend: tapped(remoteBackend({ url: listening.url, apiKey: key }), arrivals),
      issuer: await fetchIssuerKeys({ url: listening.url }),
      audience: "urn:writ:bench",
      replayCacheSize: 2_000_000,
    });
    const local = await createGuard({
      backend: store,
      issuer: await store.issuerKeys(),
      audience: "urn:writ:bench",
      replayCacheSize: 2_000_000,
    });
    guards.push(remote, local);
    const root = new Session(
      planner,
      await store.issue({ user: "alice", agent: "planner", ttl: 3600 }),
    );
    const session = root
      .delegate(worker, { grants: "docs.read" })
      .delegate(planner, { grants: "docs.read" });

    // Revocation: from store.revoke() on the server to the remote guard's live view.
    const delays: number[] = [];
    for (let index = 0; index < 300; index++) {
      const hop = root.delegate(worker, { grants: "docs.read" });
      const jti = hop.writ.leaf.claims.jti;
      const started = performance.now();
      await store.revoke({ kind: "hop", id: jti });
      while (!arrivals.has(jti)) await new Promise((resolve) => setImmediate(resolve));
      delays.push(((arrivals.get(jti) as number) - started) * 1000);
    }
    const propagation: Samples = { perOpMicros: delays.sort((a, b) => a - b) };
    results.push({
      group: GROUP,
      name: "revocation → remote guard, server SSE feed (SQLite)",
      unit: "ms",
      median: median(propagation) / 1000,
      p99: p99(propagation) / 1000,
      target: "across guards p99 < 20 ms",
      met: p99(propagation) / 1000 < 20,
      note: "store.revoke() on the server to the change in the remote guard's view",
    });

    // guard.run as adapters call it, a fresh proof per call (signed before the round is
    // timed), in-process and through the server, in the same interleaved rounds.
    const calls: Record<string, ReturnType<Guard["callFrom"]>[]> = {};
    const subject = (guard: Guard, name: string): Subject => ({
      prepare: (count) => {
        calls[name] = Array.from({ length: count }, () => guard.callFrom(session, CALL));
      },
      operation: async (index) => {
        const call = (calls[name] as ReturnType<Guard["callFrom"]>[])[index];
        const { decision } = await guard.run(call as never, () => "ok");
        if (decision.effect !== "allow") throw new Error(`unexpected ${decision.code}`);
      },
    });
    const samples = await interleaved(
      { local: subject(local, "local"), remote: subject(remote, "remote") },
      100,
    );
    const inProcess = "guard.run, 3-hop writ, embedded SQLite backend";
    const onStore = sortedSamples(samples.local as number[]);
    const onServer = sortedSamples(samples.remote as number[]);
    results.push(
      {
        group: GROUP,
        name: inProcess,
        unit: "µs",
        median: median(onStore),
        p99: p99(onStore),
        note: "the same calls without the server, in the same rounds",
      },
      {
        group: GROUP,
        name: "guard.run, 3-hop writ, remoteBackend over loopback HTTP",
        unit: "µs",
        median: median(onServer),
        p99: p99(onServer),
        baseline: inProcess,
        target: "≤ 2× in-process",
        met: median(onServer) <= 2 * median(onStore),
        note: "a real server in this process; one HTTP/1.1 keep-alive request a call (its decision row, carrying the queued outcome rows)",
      },
    );
  } finally {
    for (const guard of guards) await guard.close();
    await listening.close();
    await store.close();
  }
  return results;
}
