/**
 * The Writ MCP gateway as the MCP benchmark deploys it: a process of its own,
 * with the file store the CLI uses (SQLite at the synchronous level asked),
 * in front of one upstream. Its configuration comes as JSON in argv[2]:
 * `{ store, synchronous, issuer, jwks, upstream }`. Prints `listening <url>`;
 * exits when its stdin closes.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createGuard, issuerKeysFromJwks, type JsonWebKeySet } from "@writ/core";
import { createGateway, type UpstreamConfig } from "@writ/mcp";
import { sqliteBackend } from "@writ/store";

const config = JSON.parse(process.argv[2] as string) as {
  store: string;
  synchronous: "full" | "normal";
  issuer: string;
  jwks: JsonWebKeySet;
  upstream: UpstreamConfig;
};
const http = createServer();
await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
const store = await sqliteBackend({ path: config.store, synchronous: config.synchronous });
const guard = await createGuard({
  backend: store,
  issuer: issuerKeysFromJwks(config.issuer, config.jwks),
  audience: url,
  replayCacheSize: 2_000_000,
});
const gateway = createGateway({
  guard,
  upstreams: { bench: config.upstream },
  maxSessionsPerPrincipal: 256,
  onEvent: (event) => {
    if (event.type === "upstream.down") process.stderr.write(`bench gateway: ${event.reason}\n`);
  },
});
http.keepAliveTimeout = 60_000;
http.on("request", gateway.handle);
await gateway.ready();
process.stdout.write(`listening ${url}\n`);
process.stdin.resume();
process.stdin.on("end", async () => {
  await gateway.close();
  await guard.close();
  await store.close();
  process.exit(0);
});
