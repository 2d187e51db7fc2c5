#!/usr/bin/env node
// The `writ` command. An installed package runs its build (dist/). Inside the
// Writ repository, where there is no build, it runs the TypeScript sources
// through tsx, resolving workspace packages to their sources ("@writ/source").
import { existsSync } from "node:fs";
import { register } from "node:module";

const built = new URL("../dist/main.js", import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  register(new URL("./source-conditions.js", import.meta.url));
  const { register: registerTypeScript } = await import("tsx/esm/api");
  registerTypeScript();
  await import(new URL("../src/main.ts", import.meta.url).href);
}
