/**
 * @writ/server and @writ/client as they are deployed (issue 22, DESIGN §8):
 * a real `writ serve` process (the CLI's build) on a project's SQLite file at
 * the store's default synchronous level (FULL). Measured: how fast a
 * revocation made through its admin API reaches a remote guard over the
 * server's live feed (server-sent events), and what guard.run costs through
 * remoteBackend over loopback HTTP beside the same call on an embedded
 * SQLite file at the same level in this process, in the same interleaved
 * rounds: a 3-hop writ, a fresh proof per call.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fetchIssuerKeys, remoteAdmin, remoteBackend } from "@writ/client";
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
import { type StoreBackend, sqliteBackend } from "@writ/store";
import { interleaved, type Subject } from "./interleaved.js";
import { median, p99, type Samples } from "./measure.js";
import { processCpuMs } from "./process-cpu.js";
import type { BenchResult } from "./result.js";
import { startWritServe, writCommand } from "./writ-serve-process.js";

const GROUP = "server";
const AUDIENCE = "urn:writ:bench";
const CALL = { action: "docs.read", tool: "read_doc", args: { id: "d-1" } };
const PER_ROUND = 100;
const ROUNDS = 20;
/** The calls each subject makes: a warm-up round and the timed ones. */
const CALLS_PER_SUBJECT = PER_ROUND * (ROUNDS + 1);

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

/** The bench's principals in a store; returns the root session (alice's writ held by the planner). */
async function populate(
  store: StoreBackend,
  planner: AgentIdentity,
  worker: AgentIdentity,
): Promise<Session> {
  await store.putUser({ id: "alice", permissions: "docs.read" });
  await store.putAgent({ id: "planner", policy: "docs.read", keys: [planner] });
  await store.putAgent({ id: "worker", policy: "docs.read", keys: [worker] });
  return new Session(planner, await store.issue({ user: "alice", agent: "planner", ttl: 3600 }));
}

/** Two more hops on the root: the 3-hop writ every measured call carries. */
const threeHops = (root: Session, planner: AgentIdentity, worker: AgentIdentity): Session =>
  root.delegate(worker, { grants: "docs.read" }).delegate(planner, { grants: "docs.read" });

export async function runServerBenchmarks(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), "writ-bench-server-"));
  const closers: (() => Promise<void>)[] = [
    async () => rmSync(dir, { recursive: true, force: true }),
  ];
  try {
    const planner = createAgentIdentity("planner");
    const worker = createAgentIdentity("worker");

    // The server's project, set up before it starts, as `writ init` and the admin commands would.
    await writCommand(dir, ["init"]);
    const setup = await sqliteBackend({ path: join(dir, ".writ", "writ.db"), issuer: "writ" });
    const serverRoot = await populate(setup, planner, worker);
    const guardKey = (await setup.createApiKey({ label: "bench guard", scopes: ["guard"] })).key;
    const adminKey = (await setup.createApiKey({ label: "bench admin" })).key;
    await setup.close();
    const server = await startWritServe(dir);
    closers.unshift(server.close);

    // The embedded store beside it: a SQLite file at the same (default) synchronous level.
    const embedded = await sqliteBackend({ path: join(dir, "embedded.db") });
    closers.unshift(() => embedded.close());
    const embeddedRoot = await populate(embedded, planner, worker);

    const arrivals = new Map<string, number>();
    const remote = await createGuard({
      backend: tapped(remoteBackend({ url: server.url, apiKey: guardKey }), arrivals),
      issuer: await fetchIssuerKeys({ url: server.url }),
      audience: AUDIENCE,
      replayCacheSize: 2_000_000,
    });
    closers.unshift(() => remote.close());
    const local = await createGuard({
      backend: embedded,
      issuer: await embedded.issuerKeys(),
      audience: AUDIENCE,
      replayCacheSize: 2_000_000,
    });
    closers.unshift(() => local.close());

    // Revocation: from the server's admin API (`writ revoke --url`, remoteAdmin) to the remote guard's view.
    const admin = remoteAdmin({ url: server.url, apiKey: adminKey });
    const delays: number[] = [];
    for (let index = 0; index < 300; index++) {
      const hop = serverRoot.delegate(worker, { grants: "docs.read" });
      const jti = hop.writ.leaf.claims.jti;
      const started = performance.now();
      await admin.revoke({ kind: "hop", id: jti });
      while (!arrivals.has(jti)) await new Promise((resolve) => setImmediate(resolve));
      delays.push(((arrivals.get(jti) as number) - started) * 1000);
    }
    const propagation: Samples = { perOpMicros: delays.sort((a, b) => a - b) };
    results.push({
      group: GROUP,
      name: "revocation → remote guard, `writ serve` SSE feed (SQLite file)",
      unit: "ms",
      median: median(propagation) / 1000,
      p99: p99(propagation) / 1000,
      target: "across guards p99 < 20 ms",
      met: p99(propagation) / 1000 < 20,
      note: "POST /v1/revocations (admin API key) sent to the change in the remote guard's view",
    });

    // guard.run as adapters call it, a fresh proof per call (signed before the round is
    // timed), in-process and through the server, in the same interleaved rounds.
    // Beside the times, the CPU each call costs this process (guard and client; for the
    // embedded store, its writes too) and the server's process: far steadier than time on
    // a loaded machine.
    const calls: Record<string, ReturnType<Guard["callFrom"]>[]> = {};
    const cpuMicros = { local: 0, remote: 0 };
    const subject = (guard: Guard, session: Session, name: "local" | "remote"): Subject => ({
      prepare: (count) => {
        calls[name] = Array.from({ length: count }, () => guard.callFrom(session, CALL));
      },
      operation: async (index) => {
        const call = (calls[name] as ReturnType<Guard["callFrom"]>[])[index];
        const before = process.cpuUsage();
        const { decision } = await guard.run(call as never, () => "ok");
        const used = process.cpuUsage(before);
        cpuMicros[name] += used.user + used.system;
        if (decision.effect !== "allow") throw new Error(`unexpected ${decision.code}`);
      },
    });
    const serverCpuBefore = processCpuMs(server.pid);
    const samples = await interleaved(
      {
        local: subject(local, threeHops(embeddedRoot, planner, worker), "local"),
        remote: subject(remote, threeHops(serverRoot, planner, worker), "remote"),
      },
      PER_ROUND,
      ROUNDS,
    );
    // Every round's calls, the warm-up round's too, reached the server.
    const serverCpu = ((processCpuMs(server.pid) - serverCpuBefore) * 1000) / CALLS_PER_SUBJECT;
    const inProcess = "guard.run, 3-hop writ, embedded SQLite file (FULL)";
    const onStore = sortedSamples(samples.local as number[]);
    const onServer = sortedSamples(samples.remote as number[]);
    results.push(
      {
        group: GROUP,
        name: inProcess,
        unit: "µs",
        median: median(onStore),
        p99: p99(onStore),
        note: "sqliteBackend on a file in this process, synchronous FULL (the default, as `writ serve` runs), in the same rounds",
      },
      {
        group: GROUP,
        name: "guard.run, 3-hop writ, remoteBackend → `writ serve` (SQLite file, FULL)",
        unit: "µs",
        median: median(onServer),
        p99: p99(onServer),
        baseline: inProcess,
        target: "≤ 2× in-process",
        met: median(onServer) <= 2 * median(onStore),
        note: "the CLI's `writ serve` in its own process over loopback; one HTTP/1.1 keep-alive request a call (its decision row, carrying the queued outcome rows)",
      },
      {
        group: GROUP,
        name: "CPU a guard.run, embedded SQLite file (FULL): this process",
        unit: "µs",
        median: cpuMicros.local / CALLS_PER_SUBJECT,
        note: "process.cpuUsage() around each call (every thread: the guard, its SQLite writes), mean",
      },
      {
        group: GROUP,
        name: "CPU a guard.run via `writ serve`: the guard's process",
        unit: "µs",
        median: cpuMicros.remote / CALLS_PER_SUBJECT,
        note: "process.cpuUsage() around each call (the guard, the HTTP client, the live feed), mean",
      },
      {
        group: GROUP,
        name: "CPU a guard.run via `writ serve`: the server's process",
        unit: "µs",
        median: serverCpu,
        note: "/proc CPU time of the `writ serve` process over the interleaved rounds, per remote call (idle heartbeats included)",
      },
    );
  } finally {
    for (const close of closers) await close();
  }
  return results;
}
