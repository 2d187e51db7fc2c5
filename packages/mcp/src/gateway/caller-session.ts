import { randomUUID } from "node:crypto";
import { isRequestId, isResponse, type JsonRpcNotification } from "../shared/json-rpc.js";
import { isRecord, type JsonObject, LOG_LEVELS } from "../shared/mcp-types.js";
import type { ResponseStream } from "./response-stream.js";
import type { CallerScope, Upstream } from "./upstream.js";
import type { RelayAnswer, UpstreamListener, UpstreamRequest } from "./upstream-connection.js";

/** What a caller's session needs of the gateway: how long a relayed request may wait for its answer. */
export interface CallerSessionOptions {
  readonly id: string;
  readonly principal: string;
  readonly protocolVersion: string;
  /** The client capabilities the caller declared at initialize. */
  readonly capabilities: JsonObject;
  /** How long a request relayed to the caller waits for its answer, in ms. */
  readonly relayTimeoutMs: number;
}

/**
 * A caller's MCP session (protocol 2025-11-25 and before): bound to the
 * principal that opened it, with the capabilities its client declared, its
 * log level, its standalone stream (GET) and the requests of upstreams
 * relayed to it and waiting for its answer. Towards each legacy upstream it
 * has a connection of its own (its scope), so what an upstream asks or says
 * outside a request reaches this caller and no other.
 */
export class CallerSession {
  readonly id: string;
  readonly principal: string;
  readonly protocolVersion: string;
  readonly capabilities: JsonObject;
  lastSeen = Date.now();
  /** The least severe log level the caller wants (logging/setLevel); all until it sets one. */
  #minimumLog = 0;
  #standalone: ResponseStream | undefined;
  readonly #inFlight = new Set<ResponseStream>();
  readonly #relays = new Map<string, (answer: RelayAnswer) => void>();
  readonly #upstreams = new Set<Upstream>();
  /** Resources the caller subscribed to, with the upstream that serves each. */
  readonly subscriptions = new Map<string, Upstream>();
  readonly #relayTimeoutMs: number;
  #closed = false;

  constructor(options: CallerSessionOptions) {
    this.id = options.id;
    this.principal = options.principal;
    this.protocolVersion = options.protocolVersion;
    this.capabilities = options.capabilities;
    this.#relayTimeoutMs = options.relayTimeoutMs;
  }

  /** Whether the caller's client declared it can answer this request (sampling, elicitation, roots). */
  canAnswer(method: string): boolean {
    if (method === "ping") return true;
    const capability = {
      "sampling/createMessage": "sampling",
      "elicitation/create": "elicitation",
      "roots/list": "roots",
    }[method];
    return capability !== undefined && isRecord(this.capabilities[capability]);
  }

  setLogLevel(level: string): boolean {
    const index = (LOG_LEVELS as readonly string[]).indexOf(level);
    if (index === -1) return false;
    this.#minimumLog = index;
    return true;
  }

  wantsLog(level: unknown): boolean {
    return (LOG_LEVELS as readonly unknown[]).indexOf(level) >= this.#minimumLog;
  }

  /** The session's scope towards an upstream, which then counts as used (its connection is ended with the session). */
  scopeFor(upstream: Upstream): CallerScope {
    this.#upstreams.add(upstream);
    return { key: this.id, capabilities: this.capabilities, listener: this.#listener };
  }

  /** Opens the standalone stream (GET); false when one is open already. */
  attachStandalone(stream: ResponseStream): boolean {
    if (this.#standalone && !this.#standalone.closed) return false;
    this.#standalone = stream;
    stream.open();
    stream.onHangUp(() => {
      if (this.#standalone === stream) this.#standalone = undefined;
    });
    return true;
  }

  /** A request of the caller's being answered now; what relates to no request may go on it too. */
  track(stream: ResponseStream): void {
    this.#inFlight.add(stream);
    stream.onHangUp(() => this.#inFlight.delete(stream));
  }

  untrack(stream: ResponseStream): void {
    this.#inFlight.delete(stream);
  }

  /** A notification for the caller outside any request: on the standalone stream, if it has one open. */
  push(notification: JsonRpcNotification): void {
    const stream = this.#standalone;
    if (stream && !stream.closed) stream.send({ ...notification });
  }

  /**
   * Relays a request of an upstream to the caller and waits for its answer:
   * on `via` (the stream of the caller's request it relates to), else on the
   * standalone stream, else on a stream of the caller's that is open now.
   */
  relay(request: UpstreamRequest, via?: ResponseStream): Promise<RelayAnswer> {
    if (!this.canAnswer(request.method)) {
      return Promise.resolve({ error: { code: -32601, message: "Method not found" } });
    }
    const stream = [via, this.#standalone, ...this.#inFlight].find(
      (candidate) => candidate !== undefined && !candidate.closed,
    );
    if (stream === undefined) {
      return Promise.resolve({
        error: {
          code: -32603,
          message: "The caller has no open stream to receive the request; it cannot be asked now.",
        },
      });
    }
    const id = `writ-relay-${randomUUID()}`;
    return new Promise<RelayAnswer>((resolve) => {
      const timer = setTimeout(() => {
        this.#relays.delete(id);
        resolve({ error: { code: -32001, message: "The caller did not answer in time." } });
      }, this.#relayTimeoutMs);
      timer.unref();
      this.#relays.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      stream.send({
        jsonrpc: "2.0",
        id,
        method: request.method,
        ...(request.params === undefined ? {} : { params: request.params }),
      });
    });
  }

  /** Takes the caller's answer to a relayed request; false when the message is not one. */
  settle(message: unknown): boolean {
    if (!isResponse(message) || !isRequestId(message.id)) return false;
    const resolve = this.#relays.get(String(message.id));
    if (resolve === undefined) return false;
    this.#relays.delete(String(message.id));
    resolve(
      "error" in message
        ? {
            error: {
              code: message.error.code,
              message: message.error.message,
              ...(message.error.data === undefined ? {} : { data: message.error.data }),
            },
          }
        : { result: message.result },
    );
    return true;
  }

  /** Upstreams the session has its own connection to. */
  upstreams(): Iterable<Upstream> {
    return this.#upstreams;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Ends the session: its streams, relayed requests and its connections to upstreams. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#standalone?.end();
    for (const resolve of this.#relays.values()) {
      resolve({ error: { code: -32603, message: "The caller's session ended." } });
    }
    this.#relays.clear();
    await Promise.allSettled([...this.#upstreams].map((upstream) => upstream.release(this.id)));
  }

  /** What an upstream says or asks this caller outside any request. */
  readonly #listener: UpstreamListener = {
    onNotification: (notification) => {
      if (notification.method === "notifications/message") {
        if (this.wantsLog(notification.params?.level)) this.#toOpenStream(notification);
        return;
      }
      if (notification.method === "notifications/resources/updated") {
        const uri = notification.params?.uri;
        if (typeof uri === "string" && this.subscriptions.has(uri)) this.push(notification);
      }
      // List changes come from the shared connections, once for every caller.
    },
    onRequest: (request) => this.relay(request),
    onClose: () => {
      // The caller's next request opens a new connection.
    },
  };

  /** A log message outside a request: the standalone stream, else the one request in flight. */
  #toOpenStream(notification: JsonRpcNotification): void {
    const stream = [this.#standalone, ...this.#inFlight].find(
      (candidate) => candidate !== undefined && !candidate.closed,
    );
    stream?.send({ ...notification });
  }
}
