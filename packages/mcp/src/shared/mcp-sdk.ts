/**
 * The one module that touches `@modelcontextprotocol/sdk` (v1): every SDK
 * import and call of @writ/mcp is here, behind small interfaces in Writ's
 * terms, so a move to the SDK v2 packages changes this file only.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { FetchLike, Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  type ListToolsResult,
  LoggingLevelSchema,
  McpError,
  SetLevelRequestSchema,
  type Tool,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { JsonRpcFailure } from "./json-rpc-failure.js";

export type { CallToolResult, Client, FetchLike, ListToolsResult, McpServer, Tool };

/** Headers as the SDK hands them to handlers (lower-case names). */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** What a handler knows about the request around a tool call or listing. */
export interface RequestContext {
  /** The request's `params._meta`. */
  readonly meta: Readonly<Record<string, unknown>> | undefined;
  /** HTTP headers, when the request came over HTTP. */
  readonly headers: RequestHeaders | undefined;
  /** The request URL, when it came over HTTP. */
  readonly url: URL | undefined;
  /** What the HTTP layer in front of the server established, if there is one. */
  readonly auth: RequestAuth | undefined;
}

/** What an HTTP layer in front of the MCP handlers established: the caller's writ. */
export interface RequestAuth {
  readonly token: string;
}

/** A tools/call request as it arrived: nothing in it is trusted or validated yet. */
export interface RawToolCall {
  readonly name: unknown;
  readonly arguments: unknown;
  /** The JSON-RPC id, unique among the session's in-flight requests. */
  readonly requestId: string | number;
  /** What the SDK hands the tool's callback as its last argument (`extra`), by which the tool finds its call. */
  readonly toolContext: object;
}

type RawHandler = (request: unknown, extra: HandlerExtra) => Promise<unknown>;

interface HandlerExtra {
  readonly _meta?: Record<string, unknown>;
  readonly requestId: string | number;
  readonly authInfo?: { readonly token: string };
  readonly requestInfo?: { readonly headers: RequestHeaders; readonly url?: URL };
}

interface McpServerInternals {
  setToolRequestHandlers?: () => void;
  server?: { _requestHandlers?: unknown };
  _registeredTools?: unknown;
}

function contextOf(extra: HandlerExtra): RequestContext {
  return {
    meta: extra._meta,
    headers: extra.requestInfo?.headers,
    url: extra.requestInfo?.url,
    auth: extra.authInfo,
  };
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
 * after this call are all covered. The SDK has no public hook for this, so it
 * reaches the server's handler table; an SDK whose internals moved is refused
 * rather than silently left unguarded.
 */
export function interceptToolRequests(
  server: McpServer,
  hooks: {
    list(context: RequestContext, next: () => Promise<ListToolsResult>): Promise<ListToolsResult>;
    call(
      call: RawToolCall,
      context: RequestContext,
      next: () => Promise<CallToolResult>,
    ): Promise<CallToolResult>;
  },
): void {
  const internals = server as unknown as McpServerInternals;
  const table = internals.server?._requestHandlers;
  if (typeof internals.setToolRequestHandlers !== "function" || !(table instanceof Map)) {
    throw new TypeError(
      "guardMcpServer needs an McpServer from @modelcontextprotocol/sdk ^1.32; this one's internals differ.",
    );
  }
  try {
    internals.setToolRequestHandlers();
  } catch (error) {
    throw new TypeError(
      "guardMcpServer must run before server.connect() when no tool is registered yet.",
      { cause: error },
    );
  }
  const handlers = table as Map<string, RawHandler>;
  const list = handlers.get("tools/list");
  const call = handlers.get("tools/call");
  if (!list || !call) throw new TypeError("The McpServer has no tool handlers to guard.");
  handlers.set("tools/list", (request, extra) =>
    hooks.list(contextOf(extra), async () => (await list(request, extra)) as ListToolsResult),
  );
  handlers.set("tools/call", (request, extra) => {
    const params = paramsOf(request);
    return hooks.call(
      {
        name: params.name,
        arguments: params.arguments,
        requestId: extra.requestId,
        toolContext: extra,
      },
      contextOf(extra),
      async () => (await call(request, extra)) as CallToolResult,
    );
  });
}

/**
 * Runs `check` on the name of every tool of an McpServer: those registered
 * already, now, and each one registered or renamed later, before it takes
 * the name. A check that throws refuses the registration with its error.
 * The SDK has no public hook for this either, so it watches the server's
 * tool table; an SDK whose internals moved is refused.
 */
export function checkToolNames(server: McpServer, check: (name: string) => void): void {
  const internals = server as unknown as McpServerInternals;
  const table = internals._registeredTools;
  if (table === null || typeof table !== "object") {
    throw new TypeError(
      "guardMcpServer needs an McpServer from @modelcontextprotocol/sdk ^1.32; this one's internals differ.",
    );
  }
  for (const name of Object.keys(table)) check(name);
  internals._registeredTools = new Proxy(table, {
    set(target, name, tool) {
      if (typeof name === "string") check(name);
      return Reflect.set(target, name, tool);
    },
  });
}

type CallToolParams = Parameters<Client["callTool"]>[0];
type ListToolsParams = Parameters<Client["listTools"]>[0];

/** Puts hooks around an SDK Client's listTools and callTool, for the calls every framework makes through them. */
export function interceptClientTools(
  client: Client,
  hooks: {
    list(
      params: ListToolsParams,
      next: (params: ListToolsParams) => Promise<ListToolsResult>,
    ): Promise<ListToolsResult>;
    call(
      params: CallToolParams,
      next: (params: CallToolParams) => ReturnType<Client["callTool"]>,
    ): ReturnType<Client["callTool"]>;
  },
): void {
  const listTools = client.listTools.bind(client);
  const callTool = client.callTool.bind(client);
  client.listTools = (params, options) =>
    hooks.list(params, (changed) => listTools(changed, options));
  client.callTool = (params, resultSchema, options) =>
    hooks.call(params, (changed) => callTool(changed, resultSchema, options));
}

/** Connects an SDK Client over Streamable HTTP, every request going through `fetch`. */
export async function connectHttpClient(client: Client, url: URL, fetch: FetchLike): Promise<void> {
  await client.connect(new StreamableHTTPClientTransport(url, { fetch }));
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

export interface Progress {
  readonly progress: number;
  readonly total?: number;
  readonly message?: string;
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
        tools.push(...page.tools);
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

/** A `notifications/message` body (MCP logging). */
export interface LogMessage {
  readonly level: string;
  readonly logger?: string;
  readonly data: unknown;
}

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
  listTools(context: RequestContext): Promise<Tool[]>;
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
    tools: await options.handlers.listTools(contextOf(extra as unknown as HandlerExtra)),
  }));
  await server.connect(transport);
  return endpoint;
}
