import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import { sqliteBackend } from "@writ/store";
import { describe, expect, it } from "vitest";
import { runRefundAgent } from "../src/refund-agent.js";
import { startTelemetry } from "../src/telemetry.js";

/** An OTLP/HTTP collector on loopback that keeps the JSON bodies it receives. */
async function collector() {
  const received: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push(`${req.url} ${Buffer.concat(chunks).toString("utf8")}`);
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  return { url, received, close: () => new Promise((resolve) => server.close(resolve)) };
}

const spanId = (span: ReadableSpan) => span.spanContext().spanId;

describe("the observability example", () => {
  it("nests Writ's spans under the AI SDK's tool calls, and exports them to an OTLP collector", async () => {
    const otlp = await collector();
    // Keeps what it is given, also after the SDK shuts down (and flushes) at the end.
    const spans: ReadableSpan[] = [];
    const memory: SpanExporter = {
      export: (batch, done) => {
        spans.push(...batch);
        done({ code: 0 });
      },
      shutdown: () => Promise.resolve(),
    };
    const stopTelemetry = startTelemetry({
      exporters: [memory, new OTLPTraceExporter({ url: otlp.url })],
    });
    const store = await sqliteBackend({ path: ":memory:" });
    try {
      expect(await runRefundAgent(store)).toEqual({ refunded: ["A-1001"] });
    } finally {
      await store.close();
      await stopTelemetry();
      await otlp.close();
    }

    const byId = new Map(spans.map((span) => [spanId(span), span]));
    const parent = (span: ReadableSpan | undefined) =>
      byId.get(span?.parentSpanContext?.spanId ?? "");
    const decisions = spans.filter((span) => span.name === "writ.authorize");
    expect(
      decisions.map((span) => [
        span.attributes["gen_ai.tool.call.id"],
        span.attributes["writ.decision.effect"],
        parent(span)?.name,
        parent(span)?.instrumentationScope.name,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ["call_1", "allow", "execute_tool approve_refund", "gen_ai"],
        ["call_2", "deny", "execute_tool approve_refund", "gen_ai"],
      ]),
    );
    const run = spans.find((span) => span.name === "writ.run_tool");
    expect(parent(run)?.attributes["gen_ai.tool.call.id"]).toBe("call_1");
    expect(parent(parent(parent(run)))?.name).toBe("step 1");

    // The collector got the same trace, and neither exporter saw an argument value.
    const exported = otlp.received.join("\n");
    expect(exported).toContain("/v1/traces");
    expect(exported).toContain("writ.authorize");
    expect(exported).toContain(decisions[0]?.spanContext().traceId);
    for (const value of ["A-1001", "A-1002", "400"]) {
      expect(exported).not.toContain(`"${value}"`);
    }
    // In the spans: no attribute holds an order or the amount (compared whole:
    // a duration or an id may happen to contain the amount's digits).
    const values = spans.flatMap((span) => Object.values(span.attributes).flat());
    expect(
      values.filter(
        (value) =>
          value === 400 ||
          value === "400" ||
          (typeof value === "string" && (value.includes("A-1001") || value.includes("A-1002"))),
      ),
    ).toEqual([]);
  });
});
