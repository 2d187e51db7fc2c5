/**
 * `writ serve` as a user runs it: the CLI's built binary, in a process of its
 * own, on the project in `cwd` (its SQLite file at the store's default
 * synchronous level, FULL). Resolves once it listens; close() stops it as
 * Ctrl-C does (SIGTERM) and waits for it to exit.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../packages/cli/bin/writ.js", import.meta.url));

export interface WritServeProcess {
  readonly url: string;
  readonly pid: number;
  close(): Promise<void>;
}

/** Runs the CLI's `writ <args>` in `cwd` to completion (e.g. `init`), under this Node. */
export function writCommand(cwd: string, args: readonly string[]): Promise<void> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: "ignore" });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`writ ${args.join(" ")} exited ${code}`)),
    );
  });
}

export async function startWritServe(cwd: string): Promise<WritServeProcess> {
  const child = spawn(process.execPath, [BIN, "serve", "--port", "0", "--json", "--no-console"], {
    cwd,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.setEncoding("utf8");
  const url = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) =>
      reject(new Error(`writ serve exited (${code}) before listening.`)),
    );
    child.stdout.on("data", (chunk: string) => {
      output += chunk;
      // Only whole lines: the JSON line may arrive in pieces.
      const line = output
        .split("\n")
        .slice(0, -1)
        .find((text) => text.startsWith("{"));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
  });
  return {
    url,
    pid: child.pid as number,
    async close() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}
