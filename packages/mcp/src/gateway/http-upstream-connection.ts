import {
  type Agent,
  type ClientRequest,
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from "node:http";
import { request as httpsRequest } from "node:https";
import { propagateTrace } from "@writ/core";
import { errorBodyOf, isResponse, type RequestId } from "../shared/json-rpc.js";
import { JsonRpcFailure } from "../shared/json-rpc-failure.js";
import { mcpNameHeader, mcpNameOf } from "../shared/mcp-headers.js";
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
import { readMessages } from "./sse-messages.js";
import {
  type RelayAnswer,
  type UpstreamConnection,
  UpstreamFailure,
  type UpstreamListener,
  type UpstreamRequestOptions,
} from "./upstream-connection.js";

export interface HttpConnectionOptions {
  readonly url: URL;
  /** Keep-alive connections to this upstream, shared by all its connections. */
  readonly agent: Agent;
  /** The gateway's own token for this upstream (a fresh one when the last is half spent). */
  readonly token: () => string;
  /** The era already known for this upstream; undefined probes it (server/discover, then initialize). */
  readonly era: ProtocolEra | undefined;
  /** Legacy: the client capabilities the initialize declares (the caller's, mirrored). */
  readonly capabilities: JsonObject;
  readonly timeoutMs: number;
  readonly listener: UpstreamListener;
}

/**
 * An MCP connection to a Streamable HTTP server, spoken directly over
 * keep-alive node:http connections. Legacy: an MCP session (initialize,
 * Mcp-Session-Id, the standalone GET stream for what the server says outside
 * a request, DELETE at the end). Modern (2026-07-28): no session; each
 * request carries its version, client identity and capabilities in `_meta`
 * and mirrors its method and name into `Mcp-Method` / `Mcp-Name`.
 */
export class HttpUpstreamConnection implements UpstreamConnection {
  era: ProtocolEra = "legacy";
  protocolVersion: string = LEGACY_VERSIONS[0];
  capabilities: JsonObject = {};
  serverInfo: JsonObject | undefined;
  instructions: string | undefined;
  readonly #options: HttpConnectionOptions;
  readonly #pending: PendingRequests;
  #sessionId: string | undefined;
  #stream: ClientRequest | undefined;
  #closed = false;

  private constructor(options: HttpConnectionOptions) {
    this.#options = options;
    this.#pending = new PendingRequests(options.listener, (id, answer) => this.#answer(id, answer));
  }

  static async connect(options: HttpConnectionOptions): Promise<HttpUpstreamConnection> {
    const connection = new HttpUpstreamConnection(options);
    try {
      if (options.era !== "legacy" && (await connection.#discover())) return connection;
      if (options.era === "modern") {
        throw new UpstreamFailure("refused", "The server no longer answers server/discover.");
      }
      await connection.#initialize();
      return connection;
    } catch (error) {
      await connection.close();
      throw error;
    }
  }

  request(
    method: string,
    params: Record<string, unknown> | undefined,
    options: UpstreamRequestOptions,
  ): Promise<Record<string, unknown>> {
    if (this.#closed) {
      return Promise.reject(new UpstreamFailure("closed", "The connection is closed."));
    }
    const { id, result } = this.#pending.open(method, options);
    const message = { jsonrpc: "2.0", id, method, params: this.#paramsFor(params, id, options) };
    const body = JSON.stringify(message);
    const sent = this.#post(body, this.#headersFor(message, options), (response) =>
      this.#read(response, id),
    );
    sent.on("error", () =>
      this.#pending.fail(id, new UpstreamFailure("closed", "The upstream cannot be reached.")),
    );
    this.#pending.onStop(id, () => {
      sent.destroy();
      // A modern server takes the closed stream as the cancellation.
      if (this.era === "legacy") {
        this.notify("notifications/cancelled", {
          requestId: id,
          reason: "The caller cancelled the request or it timed out.",
        });
      }
    });
    sent.end(body);
    return result;
  }

  notify(method: string, params?: Record<string, unknown>): void {
    if (this.#closed) return;
    const message = { jsonrpc: "2.0", method, ...(params === undefined ? {} : { params }) };
    this.#send(message);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stream?.destroy();
    this.#pending.failAll(new UpstreamFailure("closed", "The connection was closed."));
    if (this.#sessionId === undefined) return;
    // Ends the session upstream; best effort, the server expires it otherwise.
    await new Promise<void>((resolve) => {
      const ended = this.#requestWith("DELETE", {}, (response) => {
        response.resume();
        response.on("end", resolve);
      });
      ended.setTimeout(2000, () => ended.destroy());
      ended.on("error", () => resolve());
      ended.on("close", () => resolve());
      ended.end();
    });
  }

  kill(): void {
    // An HTTP server is not the gateway's to end; closing the connection is all there is.
  }

  /** Modern probe: a server that answers server/discover with a revision the gateway speaks. */
  async #discover(): Promise<boolean> {
    this.era = "modern";
    this.protocolVersion = MODERN_VERSIONS[0];
    try {
      const result = await this.request("server/discover", undefined, {
        timeoutMs: this.#options.timeoutMs,
        capabilities: {},
      });
      const facts = discoveredFacts(result);
      if (facts !== undefined) {
        Object.assign(this, facts);
        this.#listen();
        return true;
      }
    } catch (error) {
      // A transport failure is no evidence of a legacy server: an outage is an outage.
      if (error instanceof UpstreamFailure && error.kind !== "refused") throw error;
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
    this.#openStream();
  }

  #paramsFor(
    params: Record<string, unknown> | undefined,
    id: string,
    options: UpstreamRequestOptions,
  ): Record<string, unknown> | undefined {
    const meta: Record<string, unknown> = { ...(isRecord(params?._meta) ? params._meta : {}) };
    if (options.progress) meta.progressToken = id;
    if (this.era === "modern") {
      meta[MCP_META.protocolVersion] = this.protocolVersion;
      meta[MCP_META.clientInfo] = GATEWAY_INFO;
      meta[MCP_META.clientCapabilities] = options.capabilities ?? {};
      if (options.logLevel !== undefined) meta[MCP_META.logLevel] = options.logLevel;
    }
    const { _meta: _dropped, ...rest } = params ?? {};
    return Object.keys(meta).length === 0
      ? params === undefined
        ? undefined
        : rest
      : { ...rest, _meta: meta };
  }

  #headersFor(
    message: { method: string; params: Record<string, unknown> | undefined },
    options: UpstreamRequestOptions,
  ): OutgoingHttpHeaders {
    const headers: OutgoingHttpHeaders = {
      authorization: options.authorization ?? `Bearer ${this.#options.token()}`,
    };
    if (this.era === "modern") {
      headers["mcp-method"] = message.method;
      const name = mcpNameOf(message.method, message.params);
      if (name !== undefined) headers["mcp-name"] = mcpNameHeader(name);
      Object.assign(headers, options.headers);
    }
    propagateTrace(headers);
    return headers;
  }

  /** A response to one request: a JSON body or an SSE stream carrying what relates to it first. */
  #read(response: IncomingMessage, id: string): void {
    const status = response.statusCode ?? 0;
    if (status === 200) {
      if (this.era === "legacy" && this.#sessionId === undefined) {
        const session = response.headers["mcp-session-id"];
        if (typeof session === "string") this.#sessionId = session;
      }
      readMessages(
        response,
        (message) => this.#pending.dispatch(message, id),
        () => {
          if (this.#pending.has(id)) {
            this.#pending.fail(
              id,
              new UpstreamFailure("closed", "The upstream ended the response without an answer."),
            );
          }
        },
      );
      return;
    }
    if (status === 404 && this.#sessionId !== undefined) {
      response.resume();
      this.#pending.fail(
        id,
        new UpstreamFailure("session_expired", "The upstream no longer knows the session.", 404),
      );
      this.#lost("it no longer knows the gateway's session");
      return;
    }
    // A modern server answers protocol errors with 4xx and a JSON-RPC error body: relay it.
    readMessages(
      response,
      (message) => {
        if (isResponse(message) && "error" in message) {
          this.#pending.fail(id, JsonRpcFailure.from(errorBodyOf(message.error)));
        }
      },
      () =>
        this.#pending.fail(
          id,
          new UpstreamFailure("refused", `The upstream answered HTTP ${status}.`, status),
        ),
    );
  }

  /** Legacy: the session's standalone stream, where the server speaks outside any request. */
  #openStream(): void {
    if (this.#closed || this.#sessionId === undefined) return;
    const stream = this.#requestWith("GET", { accept: "text/event-stream" }, (response) => {
      const status = response.statusCode ?? 0;
      if (status === 405) {
        response.resume();
        return; // the server offers none
      }
      if (status === 404) {
        response.resume();
        this.#lost("it no longer knows the gateway's session");
        return;
      }
      if (status !== 200) {
        response.resume();
        return;
      }
      readMessages(
        response,
        (message) => this.#pending.dispatch(message, undefined),
        () => this.#reopenStream(stream),
      );
    });
    stream.on("error", () => this.#reopenStream(stream));
    this.#stream = stream;
    stream.end();
  }

  #reopenStream(stream: ClientRequest): void {
    if (this.#closed || this.#stream !== stream) return;
    this.#stream = undefined;
    setTimeout(() => this.#openStream(), 1000).unref();
  }

  /** Modern: a subscriptions/listen stream for the list changes the server announces. */
  #listen(): void {
    const changes = ["tools", "prompts", "resources"].filter((kind) => {
      const capability = this.capabilities[kind];
      return isRecord(capability) && capability.listChanged === true;
    });
    if (changes.length === 0 || this.#closed) return;
    const notifications = Object.fromEntries(changes.map((kind) => [`${kind}ListChanged`, true]));
    void this.request(
      "subscriptions/listen",
      { notifications },
      {
        timeoutMs: Number.POSITIVE_INFINITY,
        onNotification: (notification) => this.#options.listener.onNotification(notification),
      },
    ).then(
      () => this.#lost("it ended the subscription stream"),
      () => this.#lost("its subscription stream broke"),
    );
  }

  #lost(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stream?.destroy();
    this.#pending.failAll(new UpstreamFailure("closed", `The connection is lost: ${reason}.`));
    this.#options.listener.onClose(reason);
  }

  #answer(id: RequestId, answer: RelayAnswer): void {
    this.#send({ jsonrpc: "2.0", id, ...answer });
  }

  /** Posts a notification or a response: 202 and nothing else expected. */
  #send(message: Record<string, unknown>): void {
    const body = JSON.stringify(message);
    const sent = this.#post(body, {}, (response) => response.resume());
    sent.on("error", () => {});
    sent.end(body);
  }

  #post(
    body: string,
    headers: OutgoingHttpHeaders,
    onResponse: (response: IncomingMessage) => void,
  ): ClientRequest {
    return this.#requestWith(
      "POST",
      {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "content-length": Buffer.byteLength(body),
        ...headers,
      },
      onResponse,
    );
  }

  #requestWith(
    method: "GET" | "POST" | "DELETE",
    headers: OutgoingHttpHeaders,
    onResponse: (response: IncomingMessage) => void,
  ): ClientRequest {
    const { url, agent } = this.#options;
    return (url.protocol === "https:" ? httpsRequest : httpRequest)(
      url,
      {
        method,
        agent,
        headers: {
          authorization: `Bearer ${this.#options.token()}`,
          "mcp-protocol-version": this.protocolVersion,
          ...(this.#sessionId === undefined ? {} : { "mcp-session-id": this.#sessionId }),
          ...headers,
        },
      },
      onResponse,
    );
  }
}
