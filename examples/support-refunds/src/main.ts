/**
 * `pnpm demo` (and `pnpm start` in this folder): the support-refunds story on
 * the embedded default store, SQLite in ./.writ/, told on the terminal. The
 * store persists, so running it again adds to the same ledger, and the `writ`
 * CLI can explore it afterwards.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { sqliteBackend } from "@writ/store";
import { ConsoleNarrator, colorsFor } from "./console-narrator.js";
import { chooseModels } from "./models.js";
import { type Reviewer, runSupportRefunds } from "./support-refunds.js";

const workspace = fileURLToPath(new URL("../../..", import.meta.url));
const projectDir = resolve(process.env.WRIT_DIR ?? ".writ");
const cli = join(workspace, "packages/cli/bin/writ.js");

// The CLI reads a project folder (config, operator key) around the store:
// create it the CLI's own way before the first run, so `writ audit tail` and
// friends work on what the demo leaves. Later runs reuse it.
if (!existsSync(join(projectDir, "config.json")) && existsSync(cli)) {
  execFileSync(process.execPath, [cli, "init", "--dir", projectDir, "--no-color"], {
    stdio: "ignore",
  });
}

const narrator = new ConsoleNarrator((line) => console.log(line), colorsFor(process.stdout));
const models = await chooseModels();
const store = await sqliteBackend({ path: join(projectDir, "writ.db") });

/** The demo's reviewer approves; in your application this is a person, in a queue or a chat. */
const reviewer: Reviewer = async () => ({ type: "approve", by: "dana@ops" });

narrator.title(
  "Writ demo: support refunds",
  `store ${relative(process.cwd(), join(projectDir, "writ.db"))} · models ${models.description}`,
);
let ok = false;
try {
  const result = await runSupportRefunds({ store, models, reviewer, narrator });
  ok = result.verification.ok;
} finally {
  await store.close();
}

const writ =
  relative(workspace, process.cwd()) === ""
    ? "pnpm writ"
    : `pnpm -C ${relative(process.cwd(), workspace) || "."} writ`;
const dir = relative(workspace, projectDir) === ".writ" ? "" : ` --dir ${projectDir}`;
const credentials = relative(process.cwd(), join(projectDir, "credentials.json"));
narrator.tryNext([
  [
    `${writ} serve${dir}`,
    `then open http://127.0.0.1:7070/console and sign in with the API key in ${credentials}: this run's activity, approvals, delegation tree and ledger`,
  ],
  [`${writ} audit tail${dir}`, "the newest ledger rows (--follow keeps watching)"],
  [`${writ} audit verify${dir}`, "recompute every hash chain and signed checkpoint yourself"],
  [
    `${writ} audit export --format ocsf${dir}`,
    "the ledger as OCSF events for your SIEM (docs/siem-export.md)",
  ],
  [`${writ} agents list${dir}`, "the agents, their policies and the keys each run added"],
  ["OPENAI_API_KEY=sk-… pnpm demo", "the same story with a real model deciding the calls"],
  ["examples/README.md", "three more workflows: email, an MCP gateway, a research chain"],
]);
// performance.now() counts from the process's start: loading included.
console.log(`\nDone in ${(performance.now() / 1000).toFixed(1)} s.`);
process.exitCode = ok ? 0 : 1;
