#!/usr/bin/env node
// The `writ` command runs the build in dist/ (a clone of the Writ repository
// builds it on `pnpm install`). Node keeps the code it compiles for these
// modules between runs, so every command after the first starts faster.
import { existsSync } from "node:fs";
import { enableCompileCache } from "node:module";

const main = new URL("../dist/main.js", import.meta.url);
if (!existsSync(main)) {
  process.stderr.write(
    "writ: this copy of @writ/cli is not built (no dist/main.js). In a clone of the Writ repository, run `pnpm build`.\n",
  );
  process.exit(1);
}
enableCompileCache();
await import(main.href);
