import type { IncomingHttpHeaders } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { context, propagation, trace } from "@opentelemetry/api";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  closeServer,
  type GatewayWorld,
  gatewayWorld,
  loopbackServer,
} from "../../packages/mcp/test/gateway-fixture.js";
import {
  type InMemoryTelemetry,
  installInMemoryTelemetry,
} from "../support/in-memory-telemetry.js";

/** What the HTTP upstream received with each tools/call: its traceparent header and `_meta`. */
const calls: { header: IncomingHttpHeaders["traceparent"]; meta: Record<string, unknown> }[] = [];
const closers: (() => Promise<void>)[] = [];
let w: GatewayWorld;
let telemetry: InMemoryTelemetry;

/** An MCP server on loopback whose `lookup` tool records the trace context it was sent. */
async function recordingUpstream(): Promise<string> {
  const { server, origin } = await loopbackServer();
  closers.push(() => closeServer(server));
  server.on("request", async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const mcp = new McpServer({ name: "recording-upstream", version: "1.0.0" });
    mcp.registerTool("lookup", {}, async (extra) => {
      calls.push({ header: req.headers.traceparent, meta: { ...extra._meta } });
      return { content: [{ type: "text", text: "found" }] };
    });
    const transport = new StreamableHTTPServerTransport({});
    res.on("close", () => void transport.close());
    await mcp.connect(transport);
    await transport.handleRequest(req, res, body === "" ? undefined : JSON.parse(body));
  });
  return `${origin}/mcp`;
}

beforeAll(async () => {
  const upstream = await recordingUpstream();
  w = await gatewayWorld({
    permissions: "crm.lookup",
    policy: "crm.*",
    closeWith: (close) => closers.push(close),
    upstreams: () => ({ crm: { url: upstream } }),
  });
}, 30_000);

afterAll(async () => {
  await w?.close();
  for (const close of closers.reverse()) await close();
});

beforeEach(() => {
  calls.length = 0;
  telemetry = installInMemoryTelemetry();
});
afterEach(async () => {
  await telemetry.uninstall();
});

const application = () => trace.getTracer("the-application");
const only = (name: string) => {
  const spans = telemetry.spans().filter((span) => span.name === name);
  expect(spans, name).toHaveLength(1);
  return spans[0] as NonNullable<(typeof spans)[0]>;
};
const parentIdOf = (traceparent: unknown) => String(traceparent).split("-")[2];

describe("the gateway in the caller's trace", () => {
  it("continues the trace of the caller's HTTP request and passes the tool's span upstream", async () => {
    const client = await w.connect(w.session);
    await application().startActiveSpan("agent step", async (step) => {
      await client.callTool({ name: "lookup", arguments: { customer: "c-1" } });
      step.end();
    });
    const step = only("agent step");
    const authorize = only("writ.authorize");
    const tool = only("writ.run_tool");
    expect(authorize.parentSpanContext?.spanId).toBe(step.spanContext().spanId);
    expect(authorize.attributes["writ.adapter"]).toBe("mcp-gateway");
    expect(tool.parentSpanContext?.spanId).toBe(authorize.spanContext().spanId);
    const [received] = calls;
    // The upstream continues the gateway's tool span, in the header and in _meta alike.
    expect(parentIdOf(received?.header)).toBe(tool.spanContext().spanId);
    expect(received?.meta.traceparent).toBe(received?.header);
    expect(String(received?.header)).toContain(step.spanContext().traceId);
  });

  it("prefers the trace a request's _meta names, as the MCP specification reserves traceparent", async () => {
    const client = await w.connect(w.session);
    const caller = application().startSpan("remote caller");
    const meta: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), caller), meta);
    caller.end();
    await application().startActiveSpan("unrelated", async (unrelated) => {
      await client.callTool({ name: "lookup", arguments: {}, _meta: meta });
      unrelated.end();
    });
    const authorize = only("writ.authorize");
    expect(authorize.parentSpanContext?.spanId).toBe(caller.spanContext().spanId);
    expect(authorize.spanContext().traceId).toBe(caller.spanContext().traceId);
    expect(parentIdOf(calls[0]?.meta.traceparent)).toBe(only("writ.run_tool").spanContext().spanId);
  });

  it("records the latency it added to each relayed call, less the upstream's", async () => {
    const client = await w.connect(w.session);
    await client.callTool({ name: "lookup", arguments: {} });
    const [point] = await telemetry.points("writ.gateway.added_duration");
    expect(point?.attributes).toEqual({ "mcp.method.name": "tools/call" });
    expect(point?.value).toMatchObject({ count: 1 });
  });
});
