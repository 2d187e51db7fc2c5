import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Session } from "@writ/core";
import {
  type ActionMap,
  connectWithWrit,
  createGateway,
  type Gateway,
  type GatewayEvent,
  type GatewayOptions,
  type StdioUpstreamConfig,
} from "../src/index.js";
import { createWorld, type World, type WorldOptions } from "./world.js";

const require = createRequire(import.meta.url);

/** The entry point of an MCP server package installed for the tests, run with this Node. */
export function serverBin(name: "server-everything" | "server-filesystem"): string {
  return require.resolve(`@modelcontextprotocol/${name}/dist/index.js`);
}

/** server-everything as a stdio upstream, its stderr left out of the test's output. */
export function everythingServer() {
  return {
    command: process.execPath,
    args: [serverBin("server-everything"), "stdio"],
    stderr: "ignore",
  } satisfies StdioUpstreamConfig;
}

/** server-filesystem serving `dir`, as a stdio upstream. */
export function filesystemServer(dir: string) {
  return {
    command: process.execPath,
    args: [serverBin("server-filesystem"), dir],
    stderr: "ignore",
  } satisfies StdioUpstreamConfig;
}

/** The body of an MCP 2025-11-25 initialize request, as a client without an SDK sends it. */
export const RAW_INITIALIZE = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-11-25",
    capabilities: {},
    clientInfo: { name: "raw", version: "1" },
  },
});

/** POSTs RAW_INITIALIZE to `url` with `headers` (besides accept and content type); the answer's body is left unread. */
export async function postInitialize(
  url: string,
  headers: Record<string, string>,
): Promise<Response> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      accept: "application/json, text/event-stream",
      "content-type": "application/json",
      ...headers,
    },
    body: RAW_INITIALIZE,
  });
  await response.body?.cancel();
  return response;
}

/** A server listening on loopback, port 0, with its handler mounted later. */
export async function loopbackServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A port free right now, for a server whose URL must be known before it starts. */
export async function freePort(): Promise<number> {
  const { server, origin } = await loopbackServer();
  await closeServer(server);
  return Number(new URL(origin).port);
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export interface GatewayWorld extends World {
  readonly gateway: Gateway;
  readonly url: string;
  readonly events: GatewayEvent[];
  /** How many POSTs reached the gateway without an MCP session (each initialize opens one). */
  sessionlessPosts(): number;
  /** An SDK Client connected to the gateway with this session. */
  connect(session: Session, options?: { readonly actions?: ActionMap }): Promise<Client>;
  close(): Promise<void>;
}

/** A world whose guard's audience is a gateway on loopback, in front of `upstreams`. */
export async function gatewayWorld(
  options: Omit<WorldOptions, "audience"> &
    Omit<GatewayOptions, "guard" | "upstreams" | "onEvent"> & {
      readonly upstreams: (origin: string) => GatewayOptions["upstreams"];
    },
): Promise<GatewayWorld> {
  const { server, origin } = await loopbackServer();
  const url = `${origin}/mcp`;
  const { permissions, policy, closeWith, upstreams, ...gatewayOptions } = options;
  const world = await createWorld({
    permissions,
    policy,
    audience: url,
    ...(closeWith ? { closeWith } : {}),
  });
  const events: GatewayEvent[] = [];
  const gateway = createGateway({
    ...gatewayOptions,
    guard: world.guard,
    upstreams: upstreams(origin),
    onEvent: (event) => events.push(event),
  });
  let sessionless = 0;
  server.on("request", (req) => {
    if (req.method === "POST" && req.headers["mcp-session-id"] === undefined) sessionless += 1;
  });
  server.on("request", gateway.handle);
  await gateway.ready();
  const clients: Client[] = [];
  return {
    ...world,
    gateway,
    url,
    events,
    sessionlessPosts: () => sessionless,
    async connect(session, connectOptions = {}) {
      const client = new Client({ name: "gateway-test", version: "1.0.0" });
      await connectWithWrit(client, url, { session, ...connectOptions });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.allSettled(clients.map((client) => client.close()));
      await gateway.close();
      await closeServer(server);
    },
  };
}
