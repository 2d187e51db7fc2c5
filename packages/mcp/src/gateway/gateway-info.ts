import { readFileSync } from "node:fs";

/** What the gateway calls itself towards upstreams and callers; its version is the package's, which changesets bumps. */
export const GATEWAY_INFO = {
  name: "writ-mcp-gateway",
  version: (
    JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      version: string;
    }
  ).version,
} as const;
