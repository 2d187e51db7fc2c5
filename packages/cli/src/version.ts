import { readFileSync } from "node:fs";

/** The CLI's version, printed by `writ --version`: the one in its package.json, which changesets bumps. */
export const VERSION = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;
