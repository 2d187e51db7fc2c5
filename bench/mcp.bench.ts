/**
 * @writ/mcp: a tool call straight to an upstream MCP server, then through the
 * Writ gateway with a writ that allows everything (one hop, grant `*`: the
 * gateway's own cost plus the guard's floor), then with policy (a 3-hop writ,
 * ten conditional grants a hop), each at concurrency 1, 8 and 32 over loopback.
 * The upstream runs in its own process, as an existing server would; clients
 * and gateways share this one. Each client calls the three targets in turn, so
 * all three see the same background load. The added latency is the gateway's
 * percentile minus the direct one at the same concurrency (DESIGN §8: p50 ≤
 * 1 ms, p99 ≤ 5 ms).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  createAgentIdentity,
  createGuard,
  IssuerKeySet,
  issueWrit,
  parseGrantText,
  Session,
} from "@writ/core";
import { connectWithWrit, createGateway, type Gateway } from "@writ/mcp";
import { sqliteBackend } from "@writ/store";
import type { BenchResult } from "./result.js";

const GROUP = "mcp";
const CONCURRENCY = [1, 8, 32] as const;
/** Calls timed per client at each concurrency, after a warm-up. */
const CALLS = { 1: 1500, 8: 300, 32: 100 } as const;
const ARGS = { message: "ok: a benchmark call", size: 42 };

type Caller = () => Promise<unknown>;

export async function runMcpBenchmarks(): Promise<BenchResult[]> {
  const closers: (() => Promise<void>)[] = [];
  try {
    const upstream = await spawnUpstream();
    closers.push(upstream.close);
    const store = await sqliteBackend({ path: ":memory:" });
    closers.push(() => store.close());
    const issuer = IssuerKeySet.generate("writ:bench-mcp");
    const agents = ["planner", "worker", "subworker"].map((id) => createAgentIdentity(id));
    const open = createGrants();
    const policy = tenGrants();
    await store.putUser({ id: "alice", permissions: [...open, ...policy] });
    for (const agent of agents) {
      await store.putAgent({
        id: agent.id,
        policy: [...open, ...policy],
        keys: [{ publicJwk: agent.key.publicJwk }],
      });
    }
    const [planner, worker, subworker] = agents as [
      (typeof agents)[number],
      (typeof agents)[number],
      (typeof agents)[number],
    ];

    const gateway = async (grants: ReturnType<typeof tenGrants>, depth: 1 | 3) => {
      const http = createServer();
      await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
      const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
      const guard = await createGuard({
        backend: store,
        issuer,
        audience: url,
        replayCacheSize: 2_000_000,
      });
      const gw: Gateway = createGateway({ guard, upstreams: { bench: { url: upstream.url } } });
      http.on("request", gw.handle);
      await gw.ready();
      closers.push(async () => {
        await gw.close();
        await closeServer(http);
        await guard.close();
      });
      let session = new Session(
        planner,
        issueWrit({
          issuer,
          user: { id: "alice", permissions: [...open, ...policy] },
          agent: { ...planner, policy: [...open, ...policy] },
          grants,
          ttl: 3600,
          maxDepth: 3,
        }),
      );
      if (depth === 3) {
        session = session.delegate(worker, { grants }).delegate(subworker, { grants });
      }
      const current = session;
      return async (): Promise<Caller> => {
        const client = new Client({ name: "bench", version: "1.0.0" });
        await connectWithWrit(client, url, { session: current });
        closers.push(() => client.close());
        return () => client.callTool({ name: "echo", arguments: ARGS });
      };
    };

    const direct = async (): Promise<Caller> => {
      const client = new Client({ name: "bench", version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(upstream.url)));
      closers.push(() => client.close());
      return () => client.callTool({ name: "echo", arguments: ARGS });
    };

    const targets = [
      { name: "direct to the upstream", connect: direct },
      { name: "via gateway, no policy", connect: await gateway(open, 1) },
      { name: "via gateway, policy (3 hops, 10 grants)", connect: await gateway(policy, 3) },
    ];

    const results: BenchResult[] = [];
    for (const concurrency of CONCURRENCY) {
      const clients = await Promise.all(
        Array.from({ length: concurrency }, () =>
          Promise.all(targets.map((target) => target.connect())),
        ),
      );
      const latencies = await interleaved(clients, CALLS[concurrency]);
      const measured = targets.map((target, index) => {
        const sorted = (latencies[index] ?? []).sort((a, b) => a - b);
        return { target, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
      });
      const [base, ...gated] = measured as [
        (typeof measured)[number],
        ...(typeof measured)[number][],
      ];
      const baseName = `MCP tool call ${base.target.name}, c=${concurrency}`;
      results.push({ group: GROUP, name: baseName, unit: "µs", median: base.p50, p99: base.p99 });
      for (const { target, p50, p99 } of gated) {
        results.push({
          group: GROUP,
          name: `MCP tool call ${target.name}, c=${concurrency}`,
          unit: "µs",
          median: p50,
          p99,
          baseline: baseName,
        });
        const addedP50 = p50 - base.p50;
        const addedP99 = p99 - base.p99;
        results.push({
          group: GROUP,
          name: `gateway added latency ${target.name.replace("via gateway, ", "")}, c=${concurrency}`,
          unit: "µs",
          median: addedP50,
          p99: addedP99,
          target: "added p50 ≤ 1 ms, p99 ≤ 5 ms",
          met: addedP50 <= 1000 && addedP99 <= 5000,
          note: "gateway percentile − direct percentile",
        });
      }
    }
    return results;
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  }
}

/**
 * Each client (one caller per target) makes `calls` rounds, one call to each
 * target in turn, all clients at once. Returns per-target latencies in µs.
 */
async function interleaved(
  clients: readonly (readonly Caller[])[],
  calls: number,
): Promise<number[][]> {
  const warmup = Math.max(20, Math.floor(calls / 10));
  const latencies: number[][] = (clients[0] ?? []).map(() => []);
  await Promise.all(
    clients.map(async (callers) => {
      for (let round = 0; round < warmup + calls; round++) {
        for (const [index, call] of callers.entries()) {
          const start = process.hrtime.bigint();
          await call();
          if (round < warmup) continue;
          latencies[index]?.push(Number(process.hrtime.bigint() - start) / 1000);
        }
      }
    }),
  );
  return latencies;
}

/** The echo upstream (bench/mcp-upstream.ts) in a process of its own, under the same loader as this one. */
async function spawnUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const script = fileURLToPath(new URL("./mcp-upstream.ts", import.meta.url));
  const child = spawn(process.execPath, [...process.execArgv, script], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.setEncoding("utf8");
  const url = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`The bench upstream exited (${code}).`)));
    child.stdout.on("data", (chunk: string) => {
      output += chunk;
      const ready = /^listening (\S+)$/m.exec(output);
      if (ready?.[1]) resolve(ready[1]);
    });
  });
  return {
    url,
    async close() {
      child.stdin.end();
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

function createGrants() {
  return parseGrantText("bench.*");
}

/** Ten grants whose last one permits the benchmark call, with conditions on its arguments. */
function tenGrants() {
  return parseGrantText(
    [
      ...Array.from({ length: 9 }, (_, index) => `svc${index}.act(amount < 5000, region == eu)`),
      'bench.echo(message startsWith "ok", size < 100)',
    ].join("; "),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printTable } = await import("./print-table.js");
  console.log(printTable(await runMcpBenchmarks()));
}
