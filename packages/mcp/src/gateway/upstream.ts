import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { WritError } from "@writ/core";
import { JsonRpcFailure } from "../shared/json-rpc-failure.js";
import type { ProtocolEra } from "../shared/mcp-protocol.js";
import { isRecord, type JsonObject, type ListedItem, type Tool } from "../shared/mcp-types.js";
import type { GatewayEvent } from "./gateway-event.js";
import { HttpUpstreamConnection } from "./http-upstream-connection.js";
import { StderrTail } from "./stderr-tail.js";
import { type StdioLaunch, StdioUpstreamConnection } from "./stdio-upstream-connection.js";
import {
  type RelayAnswer,
  reasonOf,
  type UpstreamConnection,
  UpstreamFailure,
  type UpstreamListener,
  type UpstreamRequestOptions,
} from "./upstream-connection.js";

/** How the gateway reaches one upstream server. */
export type UpstreamSpec =
  | {
      readonly kind: "stdio";
      readonly launch: StdioLaunch;
      readonly stderr: "inherit" | "ignore";
      /** One process per caller session (its requests then reach that caller) instead of one shared. */
      readonly perSession: boolean;
    }
  | {
      readonly kind: "http";
      readonly url: URL;
      /** The gateway's own token for this upstream. */
      readonly token: () => string;
    };

export interface UpstreamTimeouts {
  /** Connecting, the handshake and the first listings. */
  readonly connectMs: number;
  /** One request, reset whenever the upstream reports progress. */
  readonly callMs: number;
  /** The liveness probe that tells a slow upstream from a hung one after a request timed out. */
  readonly pingMs: number;
}

export interface UpstreamBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

/**
 * Whose request this is, for an upstream that keeps a connection per caller:
 * a legacy server learns its client's capabilities at initialize and speaks
 * outside requests on its session, so each caller gets its own (mirrored)
 * connection, declaring that caller's capabilities, with what the server
 * says outside a request going to `listener`.
 */
export interface CallerScope {
  /** The caller's MCP session, or its capabilities when it has no session. */
  readonly key: string;
  readonly capabilities: JsonObject;
  readonly listener: UpstreamListener;
}

/** What the upstream offers, as it last listed it. */
export interface UpstreamOffer {
  readonly tools: readonly Tool[];
  readonly prompts: readonly ListedItem[];
  readonly resources: readonly ListedItem[];
  readonly templates: readonly ListedItem[];
  /** The server's capabilities. */
  readonly capabilities: JsonObject;
}

/** An upstream's state, for operators. */
export interface UpstreamStatus {
  readonly connected: boolean;
  readonly era?: ProtocolEra;
  readonly protocolVersion?: string;
  /** Why it is down, when it is. */
  readonly lastError?: string;
  /** The last lines a stdio server wrote to stderr. */
  readonly stderr?: string;
}

const EMPTY: UpstreamOffer = {
  tools: [],
  prompts: [],
  resources: [],
  templates: [],
  capabilities: {},
};

/**
 * One upstream MCP server behind the gateway. A shared connection lists what
 * it offers (kept while it is down, so callers hear "unavailable" rather than
 * "no such tool") and carries requests that need no caller of their own; it
 * is reconnected (a stdio server respawned from its configuration) with
 * exponential backoff when it crashes, closes or stops answering. Where the
 * server is legacy and can tell callers apart (HTTP sessions, or a process per
 * caller), each caller's requests go through a connection of its own.
 */
export class Upstream {
  readonly name: string;
  readonly #spec: UpstreamSpec;
  readonly #timeouts: UpstreamTimeouts;
  readonly #backoff: UpstreamBackoff;
  readonly #onEvent: (event: GatewayEvent) => void;
  readonly #onChanged: (kind: "tools" | "prompts" | "resources") => void;
  readonly #onResourceUpdated: (uri: string) => void;
  readonly #agent: HttpAgent | HttpsAgent | undefined;
  readonly #stderr: StderrTail | undefined;
  readonly #scoped = new Map<string, Promise<UpstreamConnection>>();
  #shared: UpstreamConnection | undefined;
  #era: ProtocolEra | undefined;
  #offer: UpstreamOffer = EMPTY;
  #version = 0;
  #failures = 0;
  #retryAt = 0;
  #lastError: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: {
    readonly name: string;
    readonly spec: UpstreamSpec;
    readonly timeouts: UpstreamTimeouts;
    readonly backoff: UpstreamBackoff;
    readonly onEvent: (event: GatewayEvent) => void;
    /** The upstream's list of tools, prompts or resources changed. */
    readonly onChanged: (kind: "tools" | "prompts" | "resources") => void;
    /** A resource the gateway subscribed to changed (shared connection). */
    readonly onResourceUpdated: (uri: string) => void;
  }) {
    this.name = options.name;
    this.#spec = options.spec;
    this.#timeouts = options.timeouts;
    this.#backoff = options.backoff;
    this.#onEvent = options.onEvent;
    this.#onChanged = options.onChanged;
    this.#onResourceUpdated = options.onResourceUpdated;
    if (options.spec.kind === "http") {
      // Upstream connections are reused across calls: a TCP (and TLS) handshake per call is most of a hop.
      const Agent = options.spec.url.protocol === "https:" ? HttpsAgent : HttpAgent;
      this.#agent = new Agent({ keepAlive: true, scheduling: "lifo" });
    } else {
      this.#stderr = new StderrTail(options.name, options.spec.stderr);
    }
  }

  /** What it offers, as last listed. */
  get offer(): UpstreamOffer {
    return this.#offer;
  }

  /** Changes whenever the offer does. */
  get version(): number {
    return this.#version;
  }

  get connected(): boolean {
    return this.#shared !== undefined;
  }

  status(): UpstreamStatus {
    const shared = this.#shared;
    const stderr = this.#stderr?.tail();
    return {
      connected: shared !== undefined,
      ...(shared ? { era: shared.era, protocolVersion: shared.protocolVersion } : {}),
      ...(shared === undefined && this.#lastError !== undefined
        ? { lastError: this.#lastError }
        : {}),
      ...(stderr === undefined ? {} : { stderr }),
    };
  }

  /** The first connection attempt; a failure is reported and retried, never thrown. */
  start(): Promise<void> {
    return this.#connect();
  }

  /**
   * Sends one request for a caller. Resolves with the upstream's result;
   * rejects with a JsonRpcFailure when it answered with a JSON-RPC error,
   * a WritError (`upstream.unavailable`, `upstream.timeout`) when it did not
   * answer, and an UpstreamFailure `aborted` when the caller cancelled.
   */
  async request(
    method: string,
    params: Record<string, unknown> | undefined,
    options: Omit<UpstreamRequestOptions, "timeoutMs">,
    scope: CallerScope | undefined,
    what = method,
  ): Promise<Record<string, unknown>> {
    const connection = await this.#connectionFor(scope, what);
    try {
      return await connection.request(method, params, {
        ...options,
        timeoutMs: this.#timeouts.callMs,
      });
    } catch (error) {
      if (error instanceof JsonRpcFailure) throw error;
      if (!(error instanceof UpstreamFailure)) throw error;
      switch (error.kind) {
        case "aborted":
          throw error;
        case "timeout":
          void this.#probe(connection);
          throw new WritError(
            "upstream.timeout",
            `The MCP server "${this.name}" did not answer ${what} within ${this.#timeouts.callMs} ms; it may still complete there.`,
            { name: this.name },
            error,
          );
        case "refused":
          throw this.#failed(what, `it refused the request (HTTP ${error.status ?? "?"})`, error);
        default:
          if (connection !== this.#shared) this.#dropScoped(scope?.key);
          throw this.#failed(what, "its connection closed", error);
      }
    }
  }

  /** Ends the caller's own connection, if it has one (its MCP session ended). */
  async release(key: string): Promise<void> {
    const connection = this.#scoped.get(key);
    this.#scoped.delete(key);
    await (await connection?.catch(() => undefined))?.close().catch(() => undefined);
  }

  /** Notifies the caller's own connection, if it has one (e.g. its roots changed). */
  async notifyScoped(key: string, method: string, params?: Record<string, unknown>): Promise<void> {
    const connection = await this.#scoped.get(key)?.catch(() => undefined);
    connection?.notify(method, params);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const shared = this.#shared;
    this.#shared = undefined;
    const scoped = [...this.#scoped.keys()];
    await Promise.allSettled([shared?.close(), ...scoped.map((key) => this.release(key))]);
    this.#agent?.destroy();
  }

  /** The connection a request goes through: the caller's own where the server keeps one per client. */
  async #connectionFor(scope: CallerScope | undefined, what: string): Promise<UpstreamConnection> {
    const shared = this.#shared;
    if (shared === undefined) throw this.#unavailable();
    if (scope === undefined || !this.#perCaller(shared.era)) return shared;
    let connection = this.#scoped.get(scope.key);
    if (connection === undefined) {
      connection = this.#open("legacy", scope.capabilities, {
        ...scope.listener,
        onClose: (reason) => {
          this.#dropScoped(scope.key);
          scope.listener.onClose(reason);
        },
      });
      this.#scoped.set(scope.key, connection);
    }
    try {
      return await connection;
    } catch (error) {
      this.#dropScoped(scope.key);
      throw this.#failed(what, `a connection for this caller failed (${reasonOf(error)})`, error);
    }
  }

  #perCaller(era: ProtocolEra): boolean {
    return era === "legacy" && (this.#spec.kind === "http" || this.#spec.perSession);
  }

  #dropScoped(key: string | undefined): void {
    if (key !== undefined) void this.release(key);
  }

  #open(
    era: ProtocolEra | undefined,
    capabilities: JsonObject,
    listener: UpstreamListener,
  ): Promise<UpstreamConnection> {
    const spec = this.#spec;
    if (spec.kind === "http") {
      return HttpUpstreamConnection.connect({
        url: spec.url,
        agent: this.#agent as HttpAgent,
        token: spec.token,
        era,
        capabilities,
        timeoutMs: this.#timeouts.connectMs,
        listener,
      });
    }
    return StdioUpstreamConnection.start({
      launch: spec.launch,
      stderr: this.#stderr as StderrTail,
      era,
      capabilities,
      timeoutMs: this.#timeouts.connectMs,
      listener,
    });
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    let connection: UpstreamConnection | undefined;
    try {
      // The shared connection declares no client capabilities: nothing it hears outside a request can be told apart by caller.
      connection = await this.#open(
        this.#era,
        {},
        this.#sharedListener(() => connection),
      );
      this.#era = connection.era;
      this.#setOffer(await this.#list(connection));
    } catch (error) {
      connection?.kill();
      await connection?.close().catch(() => undefined);
      this.#scheduleRetry(reasonOf(error));
      return;
    }
    if (this.#closed) {
      await connection.close();
      return;
    }
    this.#shared = connection;
    this.#failures = 0;
    this.#lastError = undefined;
    this.#onEvent({
      type: "upstream.connected",
      upstream: this.name,
      tools: this.#offer.tools.length,
    });
  }

  #sharedListener(connection: () => UpstreamConnection | undefined): UpstreamListener {
    return {
      onNotification: (notification) => {
        const kind = /^notifications\/(tools|prompts|resources)\/list_changed$/.exec(
          notification.method,
        )?.[1] as "tools" | "prompts" | "resources" | undefined;
        if (kind !== undefined) {
          void this.#refresh(connection());
          return;
        }
        const uri = notification.params?.uri;
        if (notification.method === "notifications/resources/updated" && typeof uri === "string") {
          this.#onResourceUpdated(uri);
        }
        // Log messages outside a request cannot be told apart by caller: they are not relayed.
      },
      onRequest: async ({ method }): Promise<RelayAnswer> =>
        method === "ping"
          ? { result: {} }
          : {
              error: {
                code: -32601,
                message: `The gateway cannot tell which caller ${method} is for on a shared connection.`,
              },
            },
      onClose: (reason) => this.#lost(connection(), reason),
    };
  }

  /** Everything the server offers, following pagination. */
  async #list(connection: UpstreamConnection): Promise<UpstreamOffer> {
    const { capabilities } = connection;
    const all = async (method: string, key: string): Promise<ListedItem[]> => {
      const items: ListedItem[] = [];
      let cursor: string | undefined;
      do {
        const page = await connection.request(
          method,
          cursor === undefined ? undefined : { cursor },
          {
            timeoutMs: this.#timeouts.connectMs,
          },
        );
        const listed = page[key];
        if (Array.isArray(listed)) items.push(...listed.filter(isRecord));
        cursor = typeof page.nextCursor === "string" ? page.nextCursor : undefined;
      } while (cursor !== undefined);
      return items;
    };
    const offers = (capability: string) => isRecord(capabilities[capability]);
    const [tools, prompts, resources, templates] = await Promise.all([
      offers("tools") ? all("tools/list", "tools") : [],
      offers("prompts") ? all("prompts/list", "prompts") : [],
      offers("resources") ? all("resources/list", "resources") : [],
      offers("resources") ? all("resources/templates/list", "resourceTemplates") : [],
    ]);
    return {
      tools: tools.filter(
        (tool) => typeof tool.name === "string",
      ) as readonly ListedItem[] as Tool[],
      prompts: prompts.filter((prompt) => typeof prompt.name === "string"),
      resources: resources.filter((resource) => typeof resource.uri === "string"),
      templates: templates.filter((template) => typeof template.uriTemplate === "string"),
      capabilities,
    };
  }

  #setOffer(offer: UpstreamOffer): void {
    const before = this.#offer;
    this.#offer = offer;
    this.#version++;
    const differs = (a: unknown, b: unknown) => JSON.stringify(a) !== JSON.stringify(b);
    if (differs(before.tools, offer.tools)) this.#onChanged("tools");
    if (differs(before.prompts, offer.prompts)) this.#onChanged("prompts");
    if (differs([before.resources, before.templates], [offer.resources, offer.templates])) {
      this.#onChanged("resources");
    }
  }

  async #refresh(connection: UpstreamConnection | undefined): Promise<void> {
    if (connection === undefined || this.#shared !== connection) return;
    try {
      this.#setOffer(await this.#list(connection));
    } catch (error) {
      this.#onEvent({
        type: "gateway.error",
        reason: `refreshing what "${this.name}" offers failed: ${reasonOf(error)}`,
      });
    }
  }

  #lost(connection: UpstreamConnection | undefined, reason: string): void {
    if (connection === undefined || this.#shared !== connection || this.#closed) return;
    this.#shared = undefined;
    for (const key of [...this.#scoped.keys()]) void this.release(key);
    this.#scheduleRetry(reason);
  }

  #scheduleRetry(reason: string): void {
    if (this.#closed) return;
    const delay = Math.min(this.#backoff.initialMs * 2 ** this.#failures, this.#backoff.maxMs);
    this.#failures++;
    this.#retryAt = Date.now() + delay;
    this.#lastError = reason;
    this.#timer = setTimeout(() => void this.#connect(), delay);
    this.#timer.unref();
    const stderr = this.#stderr?.tail();
    this.#onEvent({
      type: "upstream.down",
      upstream: this.name,
      reason,
      retryInMs: delay,
      ...(stderr === undefined ? {} : { stderr }),
    });
  }

  /** After a timeout: a server that cannot answer a liveness probe is hung, so it is ended and restarted. */
  async #probe(connection: UpstreamConnection): Promise<void> {
    const probe = connection.era === "modern" ? "server/discover" : "ping";
    try {
      await connection.request(probe, undefined, {
        timeoutMs: this.#timeouts.pingMs,
        capabilities: {},
      });
    } catch (error) {
      if (error instanceof JsonRpcFailure) return; // it answered: alive
      if (this.#shared !== connection) {
        // A caller's own connection: ended; the caller's next request opens a new one.
        connection.kill();
        for (const [key, scoped] of this.#scoped) {
          if ((await scoped.catch(() => undefined)) === connection) void this.release(key);
        }
        return;
      }
      this.#onEvent({ type: "upstream.hung", upstream: this.name });
      this.#shared = undefined;
      connection.kill();
      await connection.close().catch(() => undefined);
      for (const key of [...this.#scoped.keys()]) void this.release(key);
      this.#scheduleRetry("it stopped answering");
    }
  }

  #unavailable(): WritError {
    const seconds = Math.max(1, Math.ceil((this.#retryAt - Date.now()) / 1000));
    return new WritError(
      "upstream.unavailable",
      `The MCP server "${this.name}" behind the gateway is unavailable and is being restarted; try again in about ${seconds} s.`,
      { name: this.name },
    );
  }

  #failed(what: string, why: string, cause: unknown): WritError {
    return new WritError(
      "upstream.unavailable",
      `The MCP server "${this.name}" failed while answering ${what} (${why}); it may or may not have completed.`,
      { name: this.name },
      cause,
    );
  }
}
