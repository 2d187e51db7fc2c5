/**
 * The Writ gateway in front of @modelcontextprotocol/server-filesystem: a
 * Streamable HTTP MCP endpoint on loopback whose every tools/call is decided
 * by the guard and recorded before it reaches the filesystem server. The
 * server itself runs unchanged, spawned over stdio, and never sees a writ.
 */
import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import type { Guard } from "@writ/core";
import { createGuard } from "@writ/core";
import type { Gateway, GatewayEvent } from "@writ/mcp";
import { createGateway } from "@writ/mcp";
import type { StoreBackend } from "@writ/store";
import { isCanonicalPath } from "./canonical-paths.js";
import { CANONICAL } from "./directory.js";

// Run with this Node, from the installed package: no npx, no download at run time.
const serverFilesystemBin = createRequire(import.meta.url).resolve(
  "@modelcontextprotocol/server-filesystem/dist/index.js",
);

export interface RunningGateway {
  /** The MCP endpoint: also the guard's audience, which every proof is bound to. */
  readonly url: string;
  readonly guard: Guard;
  readonly gateway: Gateway;
  readonly events: readonly GatewayEvent[];
  close(): Promise<void>;
}

export async function startGateway(options: {
  readonly store: StoreBackend;
  /** The folder server-filesystem may serve. */
  readonly root: string;
  /** Loopback port; 0 picks a free one. */
  readonly port?: number;
}): Promise<RunningGateway> {
  const { store, root } = options;
  // Listen first: the guard's audience is the gateway's URL, port included.
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  const guard = await createGuard({
    backend: store,
    issuer: await store.issuerKeys(),
    audience: url, // the gateway's public MCP URL
    sets: { [CANONICAL]: isCanonicalPath }, // answers `path in @fs.canonical`
  });
  const events: GatewayEvent[] = [];
  const gateway = createGateway({
    guard,
    upstreams: {
      fs: { command: process.execPath, args: [serverFilesystemBin, root], stderr: "ignore" },
    },
    onEvent: (event) => events.push(event),
  });
  server.on("request", gateway.handle); // or: await gateway.listen() on the audience's port
  await gateway.ready();
  return {
    url,
    guard,
    gateway,
    events,
    async close() {
      await gateway.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await guard.close();
    },
  };
}
