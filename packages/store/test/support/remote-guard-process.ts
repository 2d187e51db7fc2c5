import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { AgentIdentity, Writ } from "@writ/core";

const SCRIPT = fileURLToPath(new URL("../fixtures/remote-guard.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

interface Message {
  readonly ready?: boolean;
  readonly id?: number;
  readonly watching?: boolean;
  readonly seenAt?: number;
  readonly code?: string;
  readonly error?: string;
  readonly cpuMicros?: number;
}

/** A guard running in a child process on the same store. */
export interface RemoteGuard {
  /**
   * Has the remote guard watch `writ` until it stops being usable. Resolves
   * `armed` once it is watching; `revoked` with when (epoch ms, sub-ms) it saw
   * the revocation and the code its guard then decided.
   */
  watch(
    writ: Writ,
    agent: AgentIdentity,
    action: string,
  ): { armed: Promise<void>; revoked: Promise<{ seenAt: number; code: string }> };
  /** CPU time the child has used so far (user + system), in µs: what watching costs it while idle. */
  cpuMicros(): Promise<number>;
  close(): Promise<void>;
}

/** Where the child's store is: a Postgres schema, or a SQLite file. */
export type RemoteStore =
  | { readonly url: string; readonly schema: string }
  | { readonly path: string };

export async function startRemoteGuard(store: RemoteStore): Promise<RemoteGuard> {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ["--conditions=@writ/source", "--import", "tsx", SCRIPT],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...("path" in store
          ? { WRIT_SQLITE_PATH: store.path }
          : { WRIT_URL: store.url, WRIT_SCHEMA: store.schema }),
      },
    },
  );
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const waiting = new Map<number, (message: Message) => void>();
  let ready: (() => void) | undefined;
  const started = new Promise<void>((resolve, reject) => {
    ready = resolve;
    child.once("exit", (code) =>
      reject(new Error(`The remote guard exited (${code}) before it was ready: ${stderr}`)),
    );
  });
  createInterface({ input: child.stdout }).on("line", (line) => {
    const message = JSON.parse(line) as Message;
    if (message.ready) ready?.();
    else if (message.id !== undefined) waiting.get(message.id)?.(message);
  });
  await started;
  let next = 0;
  return {
    watch(writ, agent, action) {
      const id = next++;
      let arm: () => void = () => undefined;
      let fail: (error: Error) => void = () => undefined;
      const armed = new Promise<void>((resolve, reject) => {
        arm = resolve;
        fail = reject;
      });
      const revoked = new Promise<{ seenAt: number; code: string }>((resolve, reject) => {
        waiting.set(id, (message) => {
          if (message.error) {
            fail(new Error(message.error));
            reject(new Error(message.error));
          } else if (message.watching) arm();
          else {
            waiting.delete(id);
            resolve({ seenAt: message.seenAt as number, code: message.code as string });
          }
        });
      });
      revoked.catch(() => undefined);
      child.stdin.write(
        `${JSON.stringify({ type: "watch", id, writ: writ.toString(), agentId: agent.id, agentJwk: agent.key.exportPrivateJwk(), action })}\n`,
      );
      return { armed, revoked };
    },
    cpuMicros() {
      const id = next++;
      return new Promise<number>((resolve) => {
        waiting.set(id, (message) => {
          waiting.delete(id);
          resolve(message.cpuMicros as number);
        });
        child.stdin.write(`${JSON.stringify({ type: "cpu", id })}\n`);
      });
    },
    async close() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.stdin.write(`${JSON.stringify({ type: "close" })}\n`);
      await exited;
    },
  };
}
