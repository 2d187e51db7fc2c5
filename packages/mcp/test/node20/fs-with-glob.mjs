// node:fs plus globSync, which Node 22 added and @modelcontextprotocol/conformance
// imports at load time; on Node 20 the import alone would fail. It only globs
// in tier-check; the patterns it needs ("**/<file name>") are supported here.
import fs from "node:fs";
import path from "node:path";

export * from "node:fs";
export default fs;

export function globSync(pattern, options = {}) {
  const match = /^\*\*\/([^*?[\]{}/]+)$/.exec(pattern);
  if (!match) throw new TypeError(`globSync on Node 20 supports only "**/<name>", not ${pattern}`);
  const cwd = options.cwd ?? process.cwd();
  return fs
    .readdirSync(cwd, { recursive: true })
    .filter((entry) => path.basename(entry) === match[1]);
}
