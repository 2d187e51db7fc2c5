import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { shellWords } from "./markdown-code-blocks.js";

const WRIT_BIN = fileURLToPath(new URL("../../packages/cli/bin/writ.js", import.meta.url));
/** `NAME=value` assignments before a command. */
export const ENVIRONMENT = /^(\w+=\S*\s+)*/;
export const isWrit = (command: string) => command.replace(ENVIRONMENT, "").startsWith("writ ");

/**
 * The folder a page's `writ` commands run in, in order, with the built CLI.
 * A page that starts elsewhere than `writ init` speaks of a project `writ init`
 * made. `writ serve` (on a free port) and `… -f` run in the background until the page ends.
 */
export class WritProject {
  readonly #cwd: string;
  readonly #background: ChildProcess[] = [];
  #started = false;

  /** A new folder in `parent` for the page `doc`. */
  constructor(parent: string, doc: string) {
    this.#cwd = mkdtempSync(join(parent, `${doc.replace(/[^\w]+/g, "-")}-`));
  }

  /** Runs one command; what went wrong, or undefined. */
  async run(command: string): Promise<string | undefined> {
    const args = shellWords(command.replace(ENVIRONMENT, "")).slice(1);
    if (!this.#started && args[0] !== "init") this.#writ(["init"]);
    this.#started = true;
    if (args[0] === "serve" || args.includes("-f")) {
      const extra = args[0] === "serve" ? ["--port", "0", "--json"] : [];
      const child = spawn(process.execPath, [WRIT_BIN, ...args, ...extra], {
        cwd: this.#cwd,
        env: cleanEnv(),
      });
      this.#background.push(child);
      return firstOutput(child);
    }
    const run = this.#writ(args);
    return run.status === 0 ? undefined : `exit ${run.status}: ${run.stderr}`;
  }

  close(): void {
    for (const child of this.#background) child.kill("SIGTERM");
  }

  #writ(args: readonly string[]) {
    return spawnSync(process.execPath, [WRIT_BIN, ...args], {
      cwd: this.#cwd,
      encoding: "utf8",
      env: cleanEnv(),
    });
  }
}

/** Once a background command prints (serve: when it listens): undefined, or how it failed first. */
function firstOutput(child: ChildProcess): Promise<string | undefined> {
  return new Promise((resolve) => {
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout?.once("data", () => resolve(undefined));
    child.once("close", (code) => resolve(`exit ${code} before it printed: ${stderr}`));
  });
}

/** The environment of a command: no colour, no Writ settings of the machine's. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  for (const name of ["WRIT_URL", "WRIT_API_KEY", "WRIT_DATABASE_URL", "WRIT_DIR", "FORCE_COLOR"])
    delete env[name];
  return env;
}
