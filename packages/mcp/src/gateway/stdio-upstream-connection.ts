import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { RequestId } from "../shared/json-rpc.js";
import { JsonRpcFailure } from "../shared/json-rpc-failure.js";
import {
  LEGACY_VERSIONS,
  MCP_META,
  MODERN_VERSIONS,
  type ProtocolEra,
} from "../shared/mcp-protocol.js";
import { isRecord, type JsonObject } from "../shared/mcp-types.js";
import { GATEWAY_INFO } from "./gateway-info.js";
import { PendingRequests } from "./pending-requests.js";
import { discoveredFacts, initializedFacts, initializeParams } from "./server-facts.js";
import type { StderrTail } from "./stderr-tail.js";
import {
  type RelayAnswer,
  type UpstreamConnection,
  UpstreamFailure,
  type UpstreamListener,
  type UpstreamRequestOptions,
} from "./upstream-connection.js";

/** How a stdio upstream is started: from the gateway's configuration only. */
export interface StdioLaunch {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

export interface StdioConnectionOptions {
  readonly launch: StdioLaunch;
  /** Where the server's stderr goes: kept (its tail readable), and passed through when `inherit`. */
  readonly stderr: StderrTail;
  /** The era already known for this server; undefined probes it. */
  readonly era: ProtocolEra | undefined;
  readonly capabilities: JsonObject;
  readonly timeoutMs: number;
  readonly listener: UpstreamListener;
}

/** Variables a spawned server gets from the gateway's environment; nothing else is passed on. */
const INHERITED = ["HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER", "LANG", "TMPDIR"];
const WINDOWS_INHERITED = [
  "APPDATA",
  "HOMEDRIVE",
  "HOMEPATH",
  "LOCALAPPDATA",
  "PATH",
  "PATHEXT",
  "PROCESSOR_ARCHITECTURE",
  "SYSTEMDRIVE",
  "SYSTEMROOT",
  "TEMP",
  "USERNAME",
  "USERPROFILE",
];

/** How long a silent server is given to answer the server/discover probe before it counts as legacy. */
const PROBE_MS = 3000;

/**
 * An MCP server the gateway runs as a child process and speaks to over stdio
 * (one JSON-RPC message a line). Started from its configuration only, with a
 * minimal environment plus its `env`. The era is probed with server/discover;
 * a server that answers with anything else, stays silent or exits on it is
 * legacy, and is (re)started for an initialize handshake.
 */
export class StdioUpstreamConnection implements UpstreamConnection {
  era: ProtocolEra = "legacy";
  protocolVersion: string = LEGACY_VERSIONS[0];
  capabilities: JsonObject = {};
  serverInfo: JsonObject | undefined;
  instructions: string | undefined;
  readonly #options: StdioConnectionOptions;
  readonly #pending: PendingRequests;
  #child: ChildProcess | undefined;
  #closed = false;
  /** While probing, an exit is an answer, not a crash. */
  #probing = false;

  private constructor(options: StdioConnectionOptions) {
    this.#options = options;
    this.#pending = new PendingRequests(options.listener, (id, answer) => this.#answer(id, answer));
  }

  static async start(options: StdioConnectionOptions): Promise<StdioUpstreamConnection> {
    const connection = new StdioUpstreamConnection(options);
    try {
      connection.#spawn();
      if (options.era !== "legacy" && (await connection.#discover())) return connection;
      if (options.era === "modern") {
        throw new UpstreamFailure("refused", "The server no longer answers server/discover.");
      }
      if (connection.#child === undefined) connection.#spawn();
      await connection.#initialize();
      return connection;
    } catch (error) {
      connection.kill();
      await connection.close();
      throw error;
    }
  }

  request(
    method: string,
    params: Record<string, unknown> | undefined,
    options: UpstreamRequestOptions,
  ): Promise<Record<string, unknown>> {
    if (this.#closed || this.#child === undefined) {
      return Promise.reject(new UpstreamFailure("closed", "The server is not running."));
    }
    const { id, result } = this.#pending.open(method, options);
    const meta: Record<string, unknown> = { ...(isRecord(params?._meta) ? params._meta : {}) };
    if (options.progress) meta.progressToken = id;
    if (this.era === "modern") {
      meta[MCP_META.protocolVersion] = this.protocolVersion;
      meta[MCP_META.clientInfo] = GATEWAY_INFO;
      meta[MCP_META.clientCapabilities] = options.capabilities ?? {};
      if (options.logLevel !== undefined) meta[MCP_META.logLevel] = options.logLevel;
    }
    const { _meta: _dropped, ...rest } = params ?? {};
    const sent =
      Object.keys(meta).length === 0
        ? params === undefined
          ? undefined
          : rest
        : { ...rest, _meta: meta };
    this.#pending.onStop(id, () =>
      this.notify("notifications/cancelled", {
        requestId: id,
        reason: "The caller cancelled the request or it timed out.",
      }),
    );
    this.#write({ jsonrpc: "2.0", id, method, ...(sent === undefined ? {} : { params: sent }) });
    return result;
  }

  notify(method: string, params?: Record<string, unknown>): void {
    this.#write({ jsonrpc: "2.0", method, ...(params === undefined ? {} : { params }) });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending.failAll(new UpstreamFailure("closed", "The server was stopped."));
    const child = this.#child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    // Asked to exit by closing its input, as the MCP stdio transport says; then signalled.
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.stdin?.end();
    const term = setTimeout(() => child.kill("SIGTERM"), 2000);
    const kill = setTimeout(() => child.kill("SIGKILL"), 4000);
    await exited;
    clearTimeout(term);
    clearTimeout(kill);
  }

  kill(): void {
    this.#child?.kill("SIGKILL");
  }

  #spawn(): void {
    const { launch, stderr } = this.#options;
    const names = process.platform === "win32" ? WINDOWS_INHERITED : INHERITED;
    const env: Record<string, string> = {};
    for (const name of names) {
      const value = process.env[name];
      // Values that look like shell functions are not passed on (as the MCP SDKs do).
      if (value !== undefined && !value.startsWith("()")) env[name] = value;
    }
    const child = spawn(launch.command, [...launch.args], {
      env: { ...env, ...launch.env },
      ...(launch.cwd === undefined ? {} : { cwd: launch.cwd }),
      stdio: ["pipe", "pipe", "pipe"],
      windowsHide: true,
    });
    this.#child = child;
    stderr.attach(child.stderr);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      if (this.#child !== child || line.trim() === "") return;
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        return; // a server that prints something else on stdout: not MCP, skipped
      }
      this.#pending.dispatch(message, undefined);
    });
    child.stdin?.on("error", () => {});
    const ended = (reason: string) => {
      if (this.#child !== child) return;
      this.#child = undefined;
      const failure = new UpstreamFailure("closed", `The server ${reason}.`);
      this.#pending.failAll(failure);
      if (this.#probing || this.#closed) return;
      this.#closed = true;
      this.#options.listener.onClose(reason);
    };
    child.once("error", (error) => ended(`could not be started (${error.message})`));
    child.once("exit", (code, signal) =>
      ended(signal === null ? `exited with code ${code}` : `was ended by ${signal}`),
    );
  }

  async #discover(): Promise<boolean> {
    this.era = "modern";
    this.protocolVersion = MODERN_VERSIONS[0];
    this.#probing = true;
    try {
      const result = await this.request("server/discover", undefined, {
        timeoutMs: Math.min(PROBE_MS, this.#options.timeoutMs),
        capabilities: {},
      });
      const facts = discoveredFacts(result);
      if (facts !== undefined) {
        Object.assign(this, facts);
        return true;
      }
    } catch (error) {
      // On stdio, an error answer, silence and an exit all mean a legacy server.
      if (!(error instanceof JsonRpcFailure || error instanceof UpstreamFailure)) throw error;
    } finally {
      this.#probing = false;
    }
    this.era = "legacy";
    return false;
  }

  async #initialize(): Promise<void> {
    this.era = "legacy";
    this.protocolVersion = LEGACY_VERSIONS[0];
    const result = await this.request("initialize", initializeParams(this.#options.capabilities), {
      timeoutMs: this.#options.timeoutMs,
    });
    Object.assign(this, initializedFacts(result));
    this.notify("notifications/initialized");
  }

  #answer(id: RequestId, answer: RelayAnswer): void {
    this.#write({ jsonrpc: "2.0", id, ...answer });
  }

  #write(message: Record<string, unknown>): void {
    const stdin = this.#child?.stdin;
    if (stdin === undefined || stdin === null || stdin.destroyed) return;
    stdin.write(`${JSON.stringify(message)}\n`);
  }
}
