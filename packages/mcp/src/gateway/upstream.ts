import { WritError } from "@writ/core";
import { JsonRpcFailure } from "../shared/json-rpc-failure.js";
import {
  type CallToolResult,
  classifyUpstreamError,
  connectUpstreamClient,
  type LogMessage,
  type Progress,
  relayedProtocolError,
  type Tool,
  type UpstreamClient,
  type UpstreamSpec,
} from "../shared/mcp-sdk.js";
import type { GatewayEvent } from "./gateway-event.js";
import { HttpCallFailure, type HttpToolCall, postToolCall } from "./post-tool-call.js";

export interface UpstreamTimeouts {
  /** Connecting, the handshake and the first tools/list. */
  readonly connectMs: number;
  /** One tool call, reset whenever the upstream reports progress. */
  readonly callMs: number;
  /** The ping that tells a slow upstream from a hung one after a call timed out. */
  readonly pingMs: number;
}

/** How a call is made and what the caller hears while it runs. */
export interface UpstreamCallOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
  /** The upstream's log messages during the call (HTTP upstreams: they arrive on the call's stream). */
  readonly onLog?: (message: LogMessage) => void;
  /** Answers the upstream's requests during the call (HTTP upstreams only). */
  readonly onRequest?: HttpToolCall["onRequest"];
  /** For an HTTP upstream: the Authorization header of this call (its minted token). */
  readonly authorization?: string;
}

export interface UpstreamBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

/**
 * One upstream MCP server behind the gateway: a single shared connection,
 * reconnected (a stdio server respawned from its configuration) with
 * exponential backoff when it crashes, closes or stops answering. The last
 * tool list it gave is kept while it is down, so callers get "unavailable"
 * rather than "no such tool".
 */
export class Upstream {
  readonly name: string;
  readonly #spec: UpstreamSpec;
  readonly #timeouts: UpstreamTimeouts;
  readonly #backoff: UpstreamBackoff;
  readonly #onEvent: (event: GatewayEvent) => void;
  readonly #onToolsChanged: () => void;
  #client: UpstreamClient | undefined;
  #tools: readonly Tool[] = [];
  #version = 0;
  #failures = 0;
  #retryAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #calls = 0;

  constructor(options: {
    readonly name: string;
    readonly spec: UpstreamSpec;
    readonly timeouts: UpstreamTimeouts;
    readonly backoff: UpstreamBackoff;
    readonly onEvent: (event: GatewayEvent) => void;
    readonly onToolsChanged: () => void;
  }) {
    this.name = options.name;
    this.#spec = options.spec;
    this.#timeouts = options.timeouts;
    this.#backoff = options.backoff;
    this.#onEvent = options.onEvent;
    this.#onToolsChanged = options.onToolsChanged;
  }

  /** The last tools the upstream listed. */
  get tools(): readonly Tool[] {
    return this.#tools;
  }

  /** Changes whenever the tool list does. */
  get version(): number {
    return this.#version;
  }

  get connected(): boolean {
    return this.#client !== undefined;
  }

  /** The first connection attempt; a failure is reported and retried, never thrown. */
  start(): Promise<void> {
    return this.#connect();
  }

  /**
   * Calls a tool. Resolves with the upstream's result; rejects with a
   * JsonRpcFailure when it answered with a JSON-RPC error, a WritError
   * (`upstream.unavailable`, `upstream.timeout`) when it did not answer.
   */
  async call(
    tool: string,
    args: Readonly<Record<string, unknown>>,
    meta: Readonly<Record<string, unknown>> | undefined,
    options: UpstreamCallOptions,
  ): Promise<CallToolResult> {
    const client = this.#client;
    if (client === undefined) {
      const seconds = Math.max(1, Math.ceil((this.#retryAt - Date.now()) / 1000));
      throw new WritError(
        "upstream.unavailable",
        `The MCP server "${this.name}" behind the gateway is unavailable and is being restarted; try again in about ${seconds} s.`,
        { name: this.name },
      );
    }
    const session = client.httpSession();
    if (this.#spec.kind === "http" && session !== undefined) {
      return this.#post(client, { url: this.#spec.url, ...session }, tool, args, meta, options);
    }
    try {
      return await client.callTool(tool, args, meta, {
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        timeoutMs: this.#timeouts.callMs,
      });
    } catch (error) {
      if (options.signal?.aborted)
        throw new Error("The caller cancelled the call.", { cause: error });
      const failure = classifyUpstreamError(error);
      if (failure === "protocol") throw relayedProtocolError(error);
      if (failure === "timeout") {
        void this.#probe(client);
        throw this.#timedOut(tool, error);
      }
      throw this.#failed(tool, "its connection closed", error);
    }
  }

  async #post(
    client: UpstreamClient,
    session: {
      readonly url: URL;
      readonly sessionId: string | undefined;
      readonly protocolVersion: string | undefined;
    },
    tool: string,
    args: Readonly<Record<string, unknown>>,
    meta: Readonly<Record<string, unknown>> | undefined,
    options: UpstreamCallOptions,
  ): Promise<CallToolResult> {
    try {
      return await postToolCall({
        session,
        authorization: options.authorization ?? "",
        id: `writ-${++this.#calls}`,
        name: tool,
        args,
        meta,
        timeoutMs: this.#timeouts.callMs,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.onLog ? { onLog: options.onLog } : {}),
        ...(options.onRequest ? { onRequest: options.onRequest } : {}),
      });
    } catch (error) {
      if (error instanceof JsonRpcFailure || !(error instanceof HttpCallFailure)) throw error;
      switch (error.kind) {
        case "aborted":
          throw new Error("The caller cancelled the call.", { cause: error });
        case "timeout":
          void this.#probe(client);
          throw this.#timedOut(tool, error);
        case "session_expired":
          this.#lost(client, "it no longer knows the gateway's session");
          await client.close().catch(() => undefined);
          throw this.#failed(tool, "it lost the session", error);
        case "refused":
          throw this.#failed(tool, `it refused the call (HTTP ${error.status})`, error);
        case "closed":
          void this.#probe(client);
          throw this.#failed(tool, "the connection closed", error);
      }
    }
  }

  #timedOut(tool: string, cause: unknown): WritError {
    return new WritError(
      "upstream.timeout",
      `The MCP server "${this.name}" did not answer "${tool}" within ${this.#timeouts.callMs} ms; it may still complete there.`,
      { name: this.name },
      cause,
    );
  }

  #failed(tool: string, why: string, cause: unknown): WritError {
    return new WritError(
      "upstream.unavailable",
      `The MCP server "${this.name}" failed while running "${tool}" (${why}); the call may or may not have completed.`,
      { name: this.name },
      cause,
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    await client?.close();
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    let client: UpstreamClient | undefined;
    try {
      client = await connectUpstreamClient(
        this.#spec,
        {
          onClose: () => this.#lost(client, "the connection closed"),
          onToolsChanged: () => void this.#refresh(client),
        },
        this.#timeouts.connectMs,
      );
      this.#setTools(await client.listTools(this.#timeouts.connectMs));
    } catch (error) {
      client?.kill();
      await client?.close().catch(() => undefined);
      this.#scheduleRetry(reasonOf(error));
      return;
    }
    if (this.#closed) {
      await client.close();
      return;
    }
    this.#client = client;
    this.#failures = 0;
    this.#onEvent({ type: "upstream.connected", upstream: this.name, tools: this.#tools.length });
  }

  #lost(client: UpstreamClient | undefined, reason: string): void {
    if (client === undefined || this.#client !== client || this.#closed) return;
    this.#client = undefined;
    this.#scheduleRetry(reason);
  }

  #scheduleRetry(reason: string): void {
    if (this.#closed) return;
    const delay = Math.min(this.#backoff.initialMs * 2 ** this.#failures, this.#backoff.maxMs);
    this.#failures++;
    this.#retryAt = Date.now() + delay;
    this.#timer = setTimeout(() => void this.#connect(), delay);
    this.#timer.unref();
    this.#onEvent({ type: "upstream.down", upstream: this.name, reason, retryInMs: delay });
  }

  /** After a timeout: a server that cannot even answer a ping is hung, so it is ended and restarted. */
  async #probe(client: UpstreamClient): Promise<void> {
    try {
      await client.ping(this.#timeouts.pingMs);
    } catch {
      if (this.#client !== client) return;
      this.#onEvent({ type: "upstream.hung", upstream: this.name });
      this.#client = undefined;
      client.kill();
      await client.close().catch(() => undefined);
      this.#scheduleRetry("it stopped answering");
    }
  }

  async #refresh(client: UpstreamClient | undefined): Promise<void> {
    if (client === undefined || this.#client !== client) return;
    try {
      this.#setTools(await client.listTools(this.#timeouts.connectMs));
    } catch (error) {
      this.#onEvent({
        type: "gateway.error",
        reason: `refreshing the tools of "${this.name}" failed: ${reasonOf(error)}`,
      });
    }
  }

  #setTools(tools: readonly Tool[]): void {
    this.#tools = tools;
    this.#version++;
    this.#onToolsChanged();
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
