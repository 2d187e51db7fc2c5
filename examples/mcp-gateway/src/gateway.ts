/**
 * The Writ gateway in front of @modelcontextprotocol/server-filesystem: a
 * Streamable HTTP MCP endpoint on loopback whose every tools/call is decided
 * by the guard and recorded before it reaches the filesystem server. The
 * server itself runs unchanged, spawned over stdio, and never sees a writ.
 */
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { createGuard, type Guard } from "@writ/core";
import { createGateway, type Gateway, type GatewayEvent } from "@writ/mcp";
import type { StoreBackend } from "@writ/store";
import { isCanonicalPath } from "./canonical-paths.js";
import { CANONICAL } from "./directory.js";

const require = createRequire(import.meta.url);

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
  // Listen first: the guard's audience is the gateway's URL, port included.
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  const guard = await createGuard({
    backend: options.store,
    issuer: await options.store.issuerKeys(),
    audience: url,
    sets: { [CANONICAL]: isCanonicalPath },
  });
  const events: GatewayEvent[] = [];
  const gateway = createGateway({
    guard,
    upstreams: {
      // Run with this Node, from the installed package: no npx, no download at run time.
      fs: {
        command: process.execPath,
        args: [
          require.resolve("@modelcontextprotocol/server-filesystem/dist/index.js"),
          options.root,
        ],
        stderr: "ignore",
      },
    },
    onEvent: (event) => events.push(event),
  });
  server.on("request", gateway.handle);
  await gateway.ready();
  return {
    url,
    guard,
    gateway,
    events,
    async close() {
      await gateway.close();
      await closeServer(server);
      await guard.close();
    },
  };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
