/** The README's gateway: server-filesystem over stdio and an HTTP upstream behind it, on its audience's port. */
import { createRequire } from "node:module";
import { createGuard } from "@writ/core";
import { createGateway } from "@writ/mcp";
import type { StoreBackend } from "@writ/store";

// Run from the installed package with this Node: nothing is downloaded when the gateway starts.
const serverFilesystemBin = createRequire(import.meta.url).resolve(
  "@modelcontextprotocol/server-filesystem/dist/index.js",
);

/** The gateway at `url` (its guard's audience), serving the folder `docs`; close both when done. */
export async function startReadmeGateway(backend: StoreBackend, url: string, docs: string) {
  const guard = await createGuard({
    backend,
    issuer: await backend.issuerKeys(),
    audience: url, // the gateway's public MCP URL
  });
  const gateway = createGateway({
    guard,
    upstreams: {
      fs: { command: process.execPath, args: [serverFilesystemBin, docs], stderr: "ignore" },
      crm: { url: "https://crm.internal.example/mcp" },
    },
  });
  await gateway.listen(); // on the audience's port
  await gateway.ready(); // each upstream connected, or reported down
  return { guard, gateway };
}
