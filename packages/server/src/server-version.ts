import { readFileSync } from "node:fs";

/** The server's version, published in its OpenAPI document: the one in its package.json, which changesets bumps. */
export const SERVER_VERSION = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;
