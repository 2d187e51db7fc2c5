import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** The real `writ` binary, as `pnpm writ` and an installed package run it. */
export const WRIT_BIN = fileURLToPath(new URL("../../bin/writ.js", import.meta.url));

export interface WritResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly input?: string;
}

/** Environment for the child: no colour unless a test asks, no inherited Writ settings. */
function childEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  for (const name of ["WRIT_URL", "WRIT_API_KEY", "WRIT_DATABASE_URL", "WRIT_DIR", "FORCE_COLOR"])
    delete env[name];
  return { ...env, ...extra };
}

/** Runs `writ <args…>` to completion. */
export function writ(args: readonly string[], options: RunOptions): Promise<WritResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRIT_BIN, ...args], {
      cwd: options.cwd,
      env: childEnv(options.env),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** A `writ serve` (or `writ gateway`) running in the background, started with --json. */
export interface BackgroundWrit {
  readonly child: ChildProcessWithoutNullStreams;
  /** The first line it printed on stdout, parsed. */
  readonly ready: Record<string, unknown>;
  /** Sends SIGTERM and resolves with its exit code and what it wrote to stderr. */
  stop(): Promise<{ code: number | null; stderr: string }>;
}

export function startWrit(args: readonly string[], options: RunOptions): Promise<BackgroundWrit> {
  const child = spawn(process.execPath, [WRIT_BIN, ...args], {
    cwd: options.cwd,
    env: childEnv(options.env),
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once("line", (line) => {
      try {
        resolve({
          child,
          ready: JSON.parse(line) as Record<string, unknown>,
          stop: async () => {
            child.kill("SIGTERM");
            return { code: await exited, stderr };
          },
        });
      } catch (error) {
        reject(error);
      }
    });
    void exited.then((code) =>
      reject(new Error(`writ ${args.join(" ")} exited (${code}) before it was ready: ${stderr}`)),
    );
  });
}
