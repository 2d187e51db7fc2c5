/**
 * What tracing costs the guard: guard.run on the in-memory backend (3-hop
 * writ, ten conditional grants a hop) with @opentelemetry/api installed but no
 * provider registered, and with the SDK's tracer and meter providers
 * registered and recording every span, beside raw node:crypto Ed25519 sign +
 * verify (the floor), in interleaved rounds so all three see the same load.
 *
 * Run directly: `pnpm bench telemetry`.
 */
import { generateKeyPairSync, sign, verify } from "node:crypto";
import { context, metrics, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { createGuard } from "@writ/core";
import { MemoryBackend } from "@writ/core/testing";
import { chain } from "./core.bench.js";
import { measure, measureSync, median, p99, type Samples } from "./measure.js";
import type { BenchResult } from "./result.js";

const GROUP = "telemetry";
const FLOOR = "node:crypto Ed25519 sign+verify (floor)";
const UNTRACED = "guard.run, OpenTelemetry API installed, no provider registered";
const TRACED = "guard.run, SDK tracer and meter providers registered, every span recorded";

class IdleReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

async function guardAndSession() {
  const { issuer, session, agents, grants } = chain(3);
  const backend = new MemoryBackend();
  backend.putUser({ id: "alice", permissions: grants });
  for (const agent of agents) backend.putAgent({ id: agent.id, policy: grants, keys: [agent] });
  const guard = await createGuard({
    backend,
    issuer,
    audience: "urn:bench",
    replayCacheSize: 2_000_000,
  });
  return { guard, session };
}

export async function runTelemetryBenchmarks(rounds = 6): Promise<BenchResult[]> {
  const { guard, session } = await guardAndSession();
  let amount = 0;
  const run = () =>
    guard.run(
      guard.callFrom(session, {
        action: "refunds.approve",
        tool: "approve_refund",
        // Fresh arguments per call, as DESIGN §8 asks.
        args: { amount: (amount++ % 4000) + 1, currency: "USD", note: "ok: customer" },
      }),
      () => "ok",
    );
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const message = Buffer.alloc(300, 7);
  const exporter = new InMemorySpanExporter();
  const contextManager = new AsyncLocalStorageContextManager();
  const samples = new Map<string, number[]>([FLOOR, UNTRACED, TRACED].map((name) => [name, []]));
  const keep = (name: string, measured: Samples) =>
    samples.get(name)?.push(...measured.perOpMicros);

  for (let round = 0; round < rounds; round++) {
    keep(
      FLOOR,
      measureSync(() => verify(null, message, publicKey, sign(null, message, privateKey)), {
        samples: 1000,
      }),
    );
    keep(UNTRACED, await measure(run, { samples: 1000 }));
    // As an application registers the SDK: a context manager, a tracer and a meter provider.
    context.setGlobalContextManager(contextManager.enable());
    const tracerProvider = new TracerProvider({
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    trace.setGlobalTracerProvider(tracerProvider);
    const meterProvider = new MeterProvider({ readers: [new IdleReader()] });
    metrics.setGlobalMeterProvider(meterProvider);
    keep(TRACED, await measure(run, { samples: 1000 }));
    exporter.reset();
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
    trace.disable();
    metrics.disable();
    context.disable();
  }
  await guard.close();

  return [FLOOR, UNTRACED, TRACED].map((name) => {
    const sorted = { perOpMicros: (samples.get(name) ?? []).sort((a, b) => a - b) };
    return {
      group: GROUP,
      name,
      unit: "µs",
      median: median(sorted),
      p99: p99(sorted),
      ...(name === FLOOR ? {} : { baseline: FLOOR }),
      note:
        name === FLOOR
          ? `${rounds} interleaved rounds`
          : "includes the caller's proof signing; fresh arguments per call",
    };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printTable } = await import("./print-table.js");
  console.log(printTable(await runTelemetryBenchmarks()));
}
