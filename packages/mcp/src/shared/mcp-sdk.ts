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
import { AsyncLocalStorage } from "node:async_hooks";
import type { CallToolResult, ListedItem, Tool } from "./mcp-types.js";

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
  /**
   * The arguments as the tool's input schema parses them (its transforms,
   * coercions and defaults applied): what the tool will receive when the
   * call goes on with them. Not ok when the tool is unknown or the
   * arguments do not parse; the SDK then answers the call itself.
   */
  parse(): Promise<ParsedArguments>;
}

/** A tool call's arguments after the tool's own schema: `args` is undefined for a tool without one. */
export type ParsedArguments =
  | { readonly ok: true; readonly args: unknown }
  | { readonly ok: false };

interface ListToolsResult {
  readonly tools: readonly Tool[];
  readonly [key: string]: unknown;
}

type RawHandler = (request: unknown, context: unknown) => Promise<unknown>;

interface McpServerInternals {
  setToolRequestHandlers?: unknown;
  validateToolInput?: unknown;
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
    typeof internals.validateToolInput !== "function" ||
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

type ValidateToolInput = (tool: unknown, args: unknown, name: unknown) => Promise<unknown>;

/**
 * Puts hooks around an McpServer's tools/list and tools/call handlers. The
 * McpServer looks its tools up at call time, so tools registered before or
 * after this call are all covered. Neither SDK has a public hook for this,
 * so it reaches the server's handler table, which both generations keep.
 *
 * A call that goes on with parsed arguments (`next(parsed)`) hands the tool
 * exactly those: the SDK's own validation step returns them instead of
 * parsing the raw arguments again, so what was judged is what runs.
 */
export function interceptToolRequests(
  server: McpServerLike,
  hooks: {
    list(context: RequestContext, next: () => Promise<ListToolsResult>): Promise<ListToolsResult>;
    call(
      call: RawToolCall,
      context: RequestContext,
      next: (parsed?: ParsedArguments & { readonly ok: true }) => Promise<CallToolResult>,
    ): Promise<CallToolResult>;
  },
): void {
  const generation = serverGeneration(server);
  const internals = server as unknown as Required<McpServerInternals>;
  const validate = (internals.validateToolInput as ValidateToolInput).bind(server);
  const parsedInput = new AsyncLocalStorage<{ readonly args: unknown }>();
  internals.validateToolInput = ((tool, args, name) => {
    const parsed = parsedInput.getStore();
    return parsed === undefined ? validate(tool, args, name) : Promise.resolve(parsed.args);
  }) satisfies ValidateToolInput;
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
    const tools = internals._registeredTools as Record<string, unknown>;
    const parse = async (): Promise<ParsedArguments> => {
      const tool =
        typeof params.name === "string"
          ? Object.getOwnPropertyDescriptor(tools, params.name)?.value
          : undefined;
      if (tool === undefined) return { ok: false };
      try {
        return { ok: true, args: await validate(tool, params.arguments, params.name) };
      } catch {
        return { ok: false };
      }
    };
    return hooks.call(
      { name: params.name, arguments: params.arguments, requestId, toolContext: context, parse },
      contextOf(generation, context),
      async (parsed) =>
        (await (parsed === undefined
          ? call(request, context)
          : parsedInput.run({ args: parsed.args }, () =>
              call(request, context),
            ))) as CallToolResult,
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

/** The client methods that send a request Writ may need to know the action of first, by that request's method. */
const SENDERS = {
  callTool: "tools/call",
  getPrompt: "prompts/get",
  readResource: "resources/read",
  subscribeResource: "resources/subscribe",
} as const;

/** The client methods that list, by what their result holds. */
const LISTERS = {
  listTools: "tools",
  listPrompts: "prompts",
  listResources: "resources",
  listResourceTemplates: "resourceTemplates",
} as const;

export type ListedKind = (typeof LISTERS)[keyof typeof LISTERS];

/**
 * Puts hooks on an SDK Client: `before` runs before each tool call, prompt
 * get and resource read or subscription (so the client can learn what it
 * names by listing first), `listed` sees every list result, and `outgoing`
 * rewrites every JSON-RPC message the client sends, on the transport it is
 * connected to now or later. Rewriting on the transport reaches every request
 * the SDK makes, also the retries a v2 client makes on its own for a
 * multi-round-trip result (each then gets a proof of its own).
 */
export function interceptClient(
  client: McpClientLike,
  where: string,
  hooks: {
    before?(method: string, params: Record<string, unknown>): Promise<void>;
    listed(kind: ListedKind, items: readonly ListedItem[]): void;
    outgoing?(message: OutgoingMessage): OutgoingMessage;
  },
): void {
  clientGeneration(client, where);
  const target = client as unknown as Record<string, unknown> & { transport?: unknown };
  type Method = (...args: unknown[]) => Promise<unknown>;
  const { before } = hooks;
  if (before) {
    for (const [name, method] of Object.entries(SENDERS)) {
      const original = target[name];
      if (typeof original !== "function") continue;
      target[name] = async (...args: unknown[]) => {
        const params = args[0];
        if (params !== null && typeof params === "object") {
          await before(method, params as Record<string, unknown>);
        }
        return (original as Method).apply(client, args);
      };
    }
  }
  for (const [name, kind] of Object.entries(LISTERS)) {
    const original = target[name];
    if (typeof original !== "function") continue;
    target[name] = async (...args: unknown[]) => {
      const result = (await (original as Method).apply(client, args)) as Record<string, unknown>;
      const items = result?.[kind];
      if (Array.isArray(items)) hooks.listed(kind, items as ListedItem[]);
      return result;
    };
  }
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
  const connect = (target.connect as Method).bind(client);
  target.connect = (transport: unknown, ...rest: unknown[]) => {
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
