/**
 * The one module that touches the MCP TypeScript SDK. @writ/mcp works with
 * both generations users have: v1 (`@modelcontextprotocol/sdk` ^1.32) and v2
 * (`@modelcontextprotocol/server` / `@modelcontextprotocol/client` ^2). Each
 * object handed in is recognized as one or the other when Writ is installed
 * on it, and a shape neither generation has is refused with a TypeError:
 * never a server left unguarded, never one guarded wrongly (refusing every
 * call). Nothing is imported from an SDK statically; connectWithWrit loads
 * the HTTP transport of the generation its client comes from.
 *
 * The gateway speaks MCP itself (it relays JSON-RPC in both protocol
 * generations) and needs no SDK.
 */
import type { CallToolResult, Tool } from "./mcp-types.js";

export type SdkGeneration = "v1" | "v2";

/** A McpServer of either generation, as guardMcpServer takes it. */
export interface McpServerLike {
  readonly server: object;
  connect(transport: never): Promise<void>;
}

/** An MCP SDK Client of either generation, as withWrit and connectWithWrit take it. */
export interface McpClientLike {
  connect(transport: never, options?: never): Promise<void>;
  callTool(...args: never[]): Promise<unknown>;
  listTools(...args: never[]): Promise<unknown>;
}

/** What a handler knows about the request around a tool call or listing. */
export interface RequestContext {
  /** The request's `params._meta`. */
  readonly meta: Readonly<Record<string, unknown>> | undefined;
  /** An HTTP header of the request (lower-case name), when it came over HTTP; a repeated one is none. */
  header(name: string): string | undefined;
  /** The request URL, when it came over HTTP. */
  readonly url: URL | undefined;
}

/** A tools/call request as it arrived: nothing in it is trusted or validated yet. */
export interface RawToolCall {
  readonly name: unknown;
  readonly arguments: unknown;
  /** The JSON-RPC id, unique among the session's in-flight requests. */
  readonly requestId: string;
  /** What the SDK hands the tool's callback as its last argument, by which the tool finds its call. */
  readonly toolContext: object;
}

interface ListToolsResult {
  readonly tools: readonly Tool[];
  readonly [key: string]: unknown;
}

type RawHandler = (request: unknown, context: unknown) => Promise<unknown>;

interface McpServerInternals {
  setToolRequestHandlers?: unknown;
  _registeredTools?: unknown;
  server?: { _requestHandlers?: unknown; getNegotiatedProtocolVersion?: unknown };
}

const SERVER_SHAPE =
  "guardMcpServer needs an McpServer from @modelcontextprotocol/sdk ^1.32 (v1) or @modelcontextprotocol/server ^2 (v2)";

/**
 * Which SDK generation an McpServer comes from. The tool handlers and the
 * tool table are what Writ hooks into; v2's Server alone negotiates protocol
 * versions per request (`getNegotiatedProtocolVersion`).
 */
export function serverGeneration(server: McpServerLike): SdkGeneration {
  const internals = server as unknown as McpServerInternals;
  const inner = internals.server;
  if (
    typeof internals.setToolRequestHandlers !== "function" ||
    internals._registeredTools === null ||
    typeof internals._registeredTools !== "object" ||
    !(inner?._requestHandlers instanceof Map)
  ) {
    throw new TypeError(
      `${SERVER_SHAPE}; this object has neither one's tool handlers, so it cannot be guarded.`,
    );
  }
  return typeof inner.getNegotiatedProtocolVersion === "function" ? "v2" : "v1";
}

/** v1 hands handlers `extra`: `_meta`, `requestId`, `requestInfo` (headers as a record, url). */
interface V1Extra {
  readonly _meta?: Record<string, unknown>;
  readonly requestId?: string | number;
  readonly requestInfo?: {
    readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
    readonly url?: URL;
  };
}

/** v2 hands handlers `ctx`: `mcpReq` (`id`, `_meta`) and `http.req`, the web Request. */
interface V2Context {
  readonly mcpReq?: { readonly id?: string | number; readonly _meta?: Record<string, unknown> };
  readonly http?: { readonly req?: { readonly headers: Headers; readonly url: string } };
}

function contextOf(generation: SdkGeneration, raw: unknown): RequestContext {
  if (generation === "v1") {
    const extra = (raw ?? {}) as V1Extra;
    const headers = extra.requestInfo?.headers;
    return {
      meta: extra._meta,
      header: (name) => {
        const value = headers?.[name];
        return typeof value === "string" ? value : undefined;
      },
      url: extra.requestInfo?.url,
    };
  }
  const ctx = (raw ?? {}) as V2Context;
  const req = ctx.http?.req;
  return {
    meta: ctx.mcpReq?._meta,
    // A repeated header arrives joined with ", ": a value that holds one is ambiguous, so none.
    header: (name) => {
      const value = req?.headers.get(name) ?? undefined;
      return value === undefined || value.includes(", ") ? undefined : value;
    },
    url: req && URL.canParse(req.url) ? new URL(req.url) : undefined,
  };
}

/** The JSON-RPC id of the request a handler context belongs to, in either generation. */
export function requestIdOf(context: unknown): string | undefined {
  if (context === null || typeof context !== "object") return undefined;
  const v1 = (context as V1Extra).requestId;
  const id = v1 ?? (context as V2Context).mcpReq?.id;
  return typeof id === "string" || typeof id === "number" ? String(id) : undefined;
}

function paramsOf(request: unknown): Record<string, unknown> {
  const params =
    request !== null && typeof request === "object"
      ? (request as { params?: unknown }).params
      : undefined;
  return params !== null && typeof params === "object" ? (params as Record<string, unknown>) : {};
}

/**
 * Puts hooks around an McpServer's tools/list and tools/call handlers. The
 * McpServer looks its tools up at call time, so tools registered before or
 * after this call are all covered. Neither SDK has a public hook for this,
 * so it reaches the server's handler table, which both generations keep.
 */
export function interceptToolRequests(
  server: McpServerLike,
  hooks: {
    list(context: RequestContext, next: () => Promise<ListToolsResult>): Promise<ListToolsResult>;
    call(
      call: RawToolCall,
      context: RequestContext,
      next: () => Promise<CallToolResult>,
    ): Promise<CallToolResult>;
  },
): void {
  const generation = serverGeneration(server);
  const internals = server as unknown as Required<McpServerInternals>;
  try {
    (internals.setToolRequestHandlers as () => void).call(server);
  } catch (error) {
    throw new TypeError(
      "guardMcpServer must run before server.connect() when no tool is registered yet.",
      { cause: error },
    );
  }
  const handlers = internals.server._requestHandlers as Map<string, RawHandler>;
  const list = handlers.get("tools/list");
  const call = handlers.get("tools/call");
  if (!list || !call) throw new TypeError("The McpServer has no tool handlers to guard.");
  handlers.set("tools/list", (request, context) =>
    hooks.list(
      contextOf(generation, context),
      async () => (await list(request, context)) as ListToolsResult,
    ),
  );
  handlers.set("tools/call", (request, context) => {
    const params = paramsOf(request);
    const requestId = requestIdOf(context);
    if (requestId === undefined || context === null || typeof context !== "object") {
      throw new TypeError(`${SERVER_SHAPE}; its tools/call handler got no request id.`);
    }
    return hooks.call(
      { name: params.name, arguments: params.arguments, requestId, toolContext: context },
      contextOf(generation, context),
      async () => (await call(request, context)) as CallToolResult,
    );
  });
}

/**
 * Runs `check` on the name of every tool of an McpServer: those registered
 * already, now, and each one registered or renamed later, before it takes
 * the name. A check that throws refuses the registration with its error.
 * Both generations keep their tools in one table, which this watches.
 */
export function checkToolNames(server: McpServerLike, check: (name: string) => void): void {
  serverGeneration(server);
  const internals = server as unknown as { _registeredTools: Record<string, unknown> };
  const table = internals._registeredTools;
  for (const name of Object.keys(table)) check(name);
  internals._registeredTools = new Proxy(table, {
    set(target, name, tool) {
      if (typeof name === "string") check(name);
      return Reflect.set(target, name, tool);
    },
  });
}

// ── Clients ──────────────────────────────────────────────────────────────

const CLIENT_SHAPE =
  "needs a Client from @modelcontextprotocol/sdk ^1.32 (v1) or @modelcontextprotocol/client ^2 (v2)";

/** Which SDK generation a Client comes from: v2's alone negotiates a protocol era. */
export function clientGeneration(client: McpClientLike, where: string): SdkGeneration {
  const candidate = client as unknown as Record<string, unknown> | null;
  if (
    candidate === null ||
    typeof candidate !== "object" ||
    typeof candidate.callTool !== "function" ||
    typeof candidate.listTools !== "function" ||
    typeof candidate.connect !== "function" ||
    typeof candidate.getServerCapabilities !== "function"
  ) {
    throw new TypeError(`${where} ${CLIENT_SHAPE}; this object is neither.`);
  }
  return typeof candidate.getProtocolEra === "function" ? "v2" : "v1";
}

/** A JSON-RPC message on its way out of a client. */
export type OutgoingMessage = Record<string, unknown>;

interface TransportLike {
  send(message: OutgoingMessage, options?: unknown): Promise<void>;
}

/**
 * Puts hooks on an SDK Client: `beforeCall` runs before each callTool (so the
 * client can learn a tool's action by listing first), `listed` sees every
 * tools/list result, and `outgoing` rewrites every JSON-RPC message the
 * client sends, on the transport it is connected to now or later. Rewriting
 * on the transport reaches every request the SDK makes, also the retries a
 * v2 client makes on its own for a multi-round-trip result (each then gets a
 * proof of its own).
 */
export function interceptClient(
  client: McpClientLike,
  where: string,
  hooks: {
    beforeCall?(name: string): Promise<void>;
    listed(tools: readonly Tool[]): void;
    outgoing?(message: OutgoingMessage): OutgoingMessage;
  },
): void {
  clientGeneration(client, where);
  const target = client as unknown as {
    callTool(...args: unknown[]): Promise<unknown>;
    listTools(...args: unknown[]): Promise<unknown>;
    connect(transport: unknown, ...rest: unknown[]): Promise<void>;
    transport?: unknown;
  };
  const callTool = target.callTool.bind(client);
  const listTools = target.listTools.bind(client);
  const connect = target.connect.bind(client);
  target.callTool = async (...args: unknown[]) => {
    const name = (args[0] as { name?: unknown } | undefined)?.name;
    if (hooks.beforeCall && typeof name === "string") await hooks.beforeCall(name);
    return callTool(...args);
  };
  target.listTools = async (...args: unknown[]) => {
    const result = (await listTools(...args)) as { tools?: unknown };
    if (Array.isArray(result?.tools)) hooks.listed(result.tools as Tool[]);
    return result;
  };
  const { outgoing } = hooks;
  if (outgoing === undefined) return;
  const rewrite = (transport: unknown) => {
    const wire = transport as TransportLike | null;
    if (wire === null || typeof wire !== "object" || typeof wire.send !== "function") {
      throw new TypeError(
        `${where}: the client's transport has no send(); it is not an MCP transport.`,
      );
    }
    const send = wire.send.bind(wire);
    wire.send = (message, options) => send(outgoing(message), options);
  };
  if (target.transport !== undefined) rewrite(target.transport);
  target.connect = (transport, ...rest) => {
    rewrite(transport);
    return connect(transport, ...rest);
  };
}

/** A fetch as the SDK transports take it. */
export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** Connects an SDK Client over Streamable HTTP with its own generation's transport, every request going through `fetch`. */
export async function connectHttpClient(
  client: McpClientLike,
  url: URL,
  fetch: FetchLike,
): Promise<void> {
  const generation = clientGeneration(client, "connectWithWrit");
  const { StreamableHTTPClientTransport } =
    generation === "v2"
      ? await import("@modelcontextprotocol/client")
      : await import("@modelcontextprotocol/sdk/client/streamableHttp.js");
  const transport = new StreamableHTTPClientTransport(url, { fetch });
  await (client.connect as (transport: unknown) => Promise<void>)(transport);
}

// ── The gateway's use of SDK v1, until the gateway speaks MCP itself ─────
import type { IncomingMessage, ServerResponse } from "node:http";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  ErrorCode,
  ListToolsRequestSchema,
  LoggingLevelSchema,
  McpError,
  SetLevelRequestSchema,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { JsonRpcFailure } from "./json-rpc-failure.js";
import type { LogMessage, Progress } from "./mcp-types.js";

export type { CallToolResult, LogMessage, Progress, Tool } from "./mcp-types.js";

export interface RequestAuth {
  readonly token: string;
}
interface HandlerExtra {
  readonly _meta?: Record<string, unknown>;
  readonly requestId: string | number;
  readonly authInfo?: { readonly token: string };
  readonly requestInfo?: {
    readonly headers: Record<string, string | readonly string[] | undefined>;
    readonly url?: URL;
  };
}
function v1ContextOf(extra: HandlerExtra): RequestContext & { auth: RequestAuth | undefined } {
  return { ...contextOf("v1", extra), auth: extra.authInfo };
}
// ── Upstream servers (the gateway's side as a client) ────────────────────

export type UpstreamSpec =
  | {
      readonly kind: "stdio";
      readonly command: string;
      readonly args: readonly string[];
      readonly env?: Readonly<Record<string, string>>;
      readonly cwd?: string;
      readonly stderr: "inherit" | "ignore";
    }
  | { readonly kind: "http"; readonly url: URL; readonly fetch: FetchLike };

/** How the SDK client makes one call (stdio upstreams). */
export interface ClientCallOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs: number;
  readonly onProgress?: (progress: Progress) => void;
}

/** A connected upstream MCP server. */
export interface UpstreamClient {
  /** Every tool, following pagination. */
  listTools(timeoutMs: number): Promise<Tool[]>;
  callTool(
    name: string,
    args: Readonly<Record<string, unknown>>,
    meta: Readonly<Record<string, unknown>> | undefined,
    options: ClientCallOptions,
  ): Promise<CallToolResult>;
  ping(timeoutMs: number): Promise<void>;
  /** For an HTTP upstream: the MCP session the connection holds, which calls are posted in. */
  httpSession():
    | { readonly sessionId: string | undefined; readonly protocolVersion: string | undefined }
    | undefined;
  /** Closes the connection (a stdio server is asked to exit, then signalled). */
  close(): Promise<void>;
  /** Ends a stdio server at once, for one that stopped answering. */
  kill(): void;
}

/** How an upstream request failed, for the caller's error and the restart policy. */
export type UpstreamFailure = "timeout" | "closed" | "protocol" | "other";

export function classifyUpstreamError(error: unknown): UpstreamFailure {
  if (!(error instanceof McpError)) return "other";
  if (error.code === ErrorCode.RequestTimeout) return "timeout";
  if (error.code === ErrorCode.ConnectionClosed) return "closed";
  return "protocol";
}

/** An error the upstream answered with, as the JSON-RPC error the caller is given. */
export function relayedProtocolError(error: unknown): JsonRpcFailure {
  return error instanceof McpError
    ? new JsonRpcFailure(error.code, error.message, error.data)
    : new JsonRpcFailure(ErrorCode.InternalError, String(error));
}

export async function connectUpstreamClient(
  spec: UpstreamSpec,
  events: { onClose(): void; onToolsChanged(): void },
  timeoutMs: number,
): Promise<UpstreamClient> {
  // Over HTTP a server's request during a call arrives on that call's own
  // stream, so it can be relayed to the caller who made the call. A stdio
  // server shares one stream among every caller: it is offered nothing.
  const client = new Client(
    { name: "writ-mcp-gateway", version: "0.1.0" },
    { capabilities: spec.kind === "http" ? { sampling: {}, elicitation: {} } : {} },
  );
  const transport =
    spec.kind === "stdio"
      ? new StdioClientTransport({
          command: spec.command,
          args: [...spec.args],
          ...(spec.env ? { env: { ...spec.env } } : {}),
          ...(spec.cwd ? { cwd: spec.cwd } : {}),
          stderr: spec.stderr,
        })
      : new StreamableHTTPClientTransport(spec.url, { fetch: spec.fetch });
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => events.onToolsChanged());
  try {
    await client.connect(transport, { timeout: timeoutMs });
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
  // Set after connect so a failed handshake is reported once, by the rejection above.
  client.onclose = () => events.onClose();
  deferResponses(transport);
  return {
    async listTools(listTimeoutMs) {
      const tools: Tool[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor === undefined ? {} : { cursor }, {
          timeout: listTimeoutMs,
        });
        tools.push(...(page.tools as unknown as Tool[]));
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      return tools;
    },
    async callTool(name, args, meta, options) {
      const result = await client.callTool(
        { name, arguments: { ...args }, ...(meta ? { _meta: { ...meta } } : {}) },
        undefined,
        {
          timeout: options.timeoutMs,
          resetTimeoutOnProgress: true,
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.onProgress
            ? {
                onprogress: ({ progress, total, message }) =>
                  options.onProgress?.({
                    progress,
                    ...(total === undefined ? {} : { total }),
                    ...(message === undefined ? {} : { message }),
                  }),
              }
            : {}),
        },
      );
      return result as CallToolResult;
    },
    async ping(pingTimeoutMs) {
      await client.ping({ timeout: pingTimeoutMs });
    },
    httpSession() {
      return transport instanceof StreamableHTTPClientTransport
        ? { sessionId: transport.sessionId, protocolVersion: transport.protocolVersion }
        : undefined;
    },
    async close() {
      await client.close();
    },
    kill() {
      const pid = transport instanceof StdioClientTransport ? transport.pid : null;
      if (pid !== null) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    },
  };
}

/**
 * The SDK hands notifications to their handlers a microtask late but settles
 * responses at once, so when a server's last progress notification and its
 * result arrive in one read (common over stdio), the result retires the
 * progress handler first and that progress is lost. Settling each response a
 * microtask later keeps the order the server sent them in.
 */
function deferResponses(transport: Transport): void {
  const deliver = transport.onmessage;
  if (deliver === undefined) return;
  transport.onmessage = (message, extra) => {
    if ("id" in message && !("method" in message)) queueMicrotask(() => deliver(message, extra));
    else deliver(message, extra);
  };
}

// ── The gateway's side as a server, one per MCP session ──────────────────

export interface SessionEndpoint {
  /** Hands one HTTP request to the session's transport; `body` is already parsed. */
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    auth: RequestAuth,
  ): Promise<void>;
  /** Whether the caller wants log messages of this level (logging/setLevel; all until it sets one). */
  wantsLog(level: string): boolean;
  /** Sends a log message of the gateway's own on the session's event stream, if the caller wants it. */
  log(message: LogMessage): Promise<void>;
  /** Whether the caller's client can answer this server-to-client request (sampling, elicitation). */
  canAnswer(method: string): boolean;
  notifyToolsChanged(): Promise<void>;
  close(): Promise<void>;
}

const LOG_LEVELS: readonly string[] = LoggingLevelSchema.options;

export interface SessionHandlers {
  listTools(context: RequestContext & { auth: RequestAuth | undefined }): Promise<Tool[]>;
}

/**
 * A Streamable HTTP MCP server for one session: the handshake, pings,
 * tools/list through `handlers`, the event stream and the session's end.
 * (The gateway answers tools/call itself, before this server.)
 */
export async function createSessionEndpoint(options: {
  readonly onInitialized: (sessionId: string, endpoint: SessionEndpoint) => void;
  readonly onClosed: (sessionId: string | undefined) => void;
  readonly handlers: SessionHandlers;
}): Promise<SessionEndpoint> {
  const server = new Server(
    { name: "writ-mcp-gateway", version: "0.1.0" },
    { capabilities: { tools: { listChanged: true }, logging: {} } },
  );
  let minimum = 0;
  server.setRequestHandler(SetLevelRequestSchema, (request) => {
    minimum = LOG_LEVELS.indexOf(request.params.level);
    return {};
  });
  const endpoint: SessionEndpoint = {
    wantsLog: (level) => LOG_LEVELS.indexOf(level) >= minimum,
    async log(message) {
      if (!endpoint.wantsLog(message.level)) return;
      await server.notification({
        method: "notifications/message",
        params: { ...message, level: message.level as (typeof LoggingLevelSchema.options)[number] },
      });
    },
    canAnswer(method) {
      const capabilities = server.getClientCapabilities();
      if (method === "sampling/createMessage") return capabilities?.sampling !== undefined;
      if (method === "elicitation/create") return capabilities?.elicitation !== undefined;
      return false;
    },
    async handle(req, res, body, auth) {
      const request = req as IncomingMessage & {
        auth?: RequestAuth & { clientId: string; scopes: string[] };
      };
      request.auth = { ...auth, clientId: "", scopes: [] };
      await transport.handleRequest(
        request as Parameters<typeof transport.handleRequest>[0],
        res,
        body,
      );
    },
    async notifyToolsChanged() {
      await server.sendToolListChanged();
    },
    async close() {
      await server.close();
    },
  };
  const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => crypto.randomUUID(),
    onsessioninitialized: (sessionId) => options.onInitialized(sessionId, endpoint),
  });
  transport.onclose = () => options.onClosed(transport.sessionId);
  server.setRequestHandler(ListToolsRequestSchema, async (_request, extra) => ({
    tools: await options.handlers.listTools(v1ContextOf(extra as unknown as HandlerExtra)),
  }));
  await server.connect(transport);
  return endpoint;
}
