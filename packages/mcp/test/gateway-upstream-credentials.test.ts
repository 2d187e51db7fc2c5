import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { Session } from "@writ/core";
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WRIT_META } from "../src/index.js";
import { closeServer, type GatewayWorld, gatewayWorld, loopbackServer } from "./gateway-fixture.js";

const PROBE = fileURLToPath(new URL("./fixtures/probe-server.mjs", import.meta.url));

/** Everything the HTTP upstream received: headers and body of each request. */
const received: { headers: IncomingMessage["headers"]; body: string }[] = [];
const refused: string[] = [];
const closers: (() => Promise<void>)[] = [];
let w: GatewayWorld;
let upstreamUrl: string;
let probeLog: string;

/**
 * An MCP server on loopback that accepts a request only with a token the
 * gateway minted for it, verified against the gateway's JWKS; its `whoami`
 * tool answers with the verified claims, `inspect` with the `_meta` it got.
 */
async function verifyingUpstream(gatewayOrigin: () => string): Promise<string> {
  const { server, origin } = await loopbackServer();
  closers.push(() => closeServer(server));
  const url = `${origin}/mcp`;
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  server.on("request", (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      received.push({ headers: req.headers, body });
      jwks ??= createRemoteJWKSet(new URL(`${gatewayOrigin()}/.well-known/jwks.json`));
      let claims: JWTPayload;
      try {
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
        ({ payload: claims } = await jwtVerify(token, jwks, {
          issuer: gatewayOrigin(),
          audience: url,
          algorithms: ["EdDSA"],
          typ: "at+jwt",
          maxTokenAge: 60,
        }));
      } catch (error) {
        refused.push(String(error));
        res.writeHead(401).end();
        return;
      }
      const mcp = new McpServer({ name: "verifying-upstream", version: "1.0.0" });
      mcp.registerTool("whoami", {}, async () => ({
        content: [{ type: "text", text: JSON.stringify(claims) }],
      }));
      mcp.registerTool("inspect", {}, async (extra) => ({
        content: [{ type: "text", text: JSON.stringify({ meta: extra._meta ?? null }) }],
      }));
      // The probe has a "pid" tool too: the upstream configured first serves the name.
      mcp.registerTool("pid", {}, async () => ({ content: [{ type: "text", text: "0" }] }));
      const transport = new StreamableHTTPServerTransport({});
      res.on("close", () => void transport.close());
      await mcp.connect(transport);
      await transport.handleRequest(req, res, body === "" ? undefined : JSON.parse(body));
    });
  });
  return url;
}

beforeAll(async () => {
  probeLog = join(mkdtempSync(join(tmpdir(), "writ-probe-")), "stdin.log");
  let gatewayOrigin = "";
  upstreamUrl = await verifyingUpstream(() => gatewayOrigin);
  w = await gatewayWorld({
    permissions: "api.*; probe.record; probe.pid",
    policy: "api.*; probe.*",
    closeWith: (close) => closers.push(close),
    upstreams: (origin) => {
      gatewayOrigin = origin;
      return {
        api: { url: upstreamUrl },
        probe: {
          command: process.execPath,
          args: [PROBE],
          env: { PROBE_LOG: probeLog },
          stderr: "ignore",
        },
      };
    },
  });
}, 30_000);

afterAll(async () => {
  await w?.close();
  for (const close of closers.reverse()) await close();
  rmSync(join(probeLog, ".."), { recursive: true, force: true });
});

function textOf(result: unknown): string {
  const [first] = ((result as { content?: unknown }).content ?? []) as { text?: string }[];
  return first?.text ?? "";
}

/** Every string a writ or proof could leak as: the whole writ, each hop, each hop's signature. */
function secretsOf(session: Session): string[] {
  const writ = session.writ.toString();
  const hops = writ.split("~");
  return [writ, ...hops, ...hops.map((hop) => hop.split(".")[2] ?? hop)];
}

describe("what reaches an upstream", () => {
  it("gives an HTTP upstream a short-lived token it verifies against the gateway's JWKS", async () => {
    const session = w.delegate("api.whoami");
    const client = await w.connect(session);
    const result = await client.callTool({ name: "whoami", arguments: {} });
    expect(result.isError).toBeFalsy();
    const claims = JSON.parse(textOf(result)) as JWTPayload & Record<string, unknown>;
    expect(claims).toMatchObject({
      iss: new URL(w.url).origin,
      aud: upstreamUrl,
      sub: "alice",
      scope: "api.whoami",
      client_id: "writ-mcp-gateway",
      act: { sub: "worker", act: { sub: "planner" } },
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBeLessThanOrEqual(60);
    expect(refused).toEqual([]);
  });

  it("never passes the writ or the proof on, and forwards the rest of _meta", async () => {
    const session = w.delegate("api.inspect; probe.record");
    const client = await w.connect(session);
    const meta = {
      "example.com/trace": "trace-1",
      // The header's writ again (a different one would be refused); proofs in
      // `_meta` are kept from upstreams too (gateway-meta-carriage.test.ts).
      [WRIT_META.writ]: session.writ.toString(),
    };
    const overHttp = await client.callTool({ name: "inspect", arguments: {}, _meta: meta });
    expect(JSON.parse(textOf(overHttp))).toEqual({ meta: { "example.com/trace": "trace-1" } });
    const overStdio = await client.callTool({ name: "record", arguments: { n: 1 }, _meta: meta });
    expect(JSON.parse(textOf(overStdio))).toEqual({
      arguments: { n: 1 },
      meta: { "example.com/trace": "trace-1" },
    });
    const http = received
      .map(({ headers, body }) => `${JSON.stringify(headers)}\n${body}`)
      .join("\n");
    const stdio = readFileSync(probeLog, "utf8");
    expect(stdio).toContain("trace-1");
    for (const secret of secretsOf(session)) {
      expect(http).not.toContain(secret);
      expect(stdio).not.toContain(secret);
    }
    for (const seen of [http, stdio]) expect(seen).not.toMatch(/DPoP|dev\.writ\//);
  });

  it("serves a tool name two upstreams share from the one configured first", async () => {
    const client = await w.connect(w.session);
    expect(textOf(await client.callTool({ name: "pid", arguments: {} }))).toBe("0");
    expect(w.events).toContainEqual({
      type: "tool.shadowed",
      tool: "pid",
      upstream: "probe",
      by: "api",
    });
  });
});
