/**
 * The two MCP SDK generations users have, behind one test-facing shape, so a
 * suite runs against both: v1 (`@modelcontextprotocol/sdk`) and v2
 * (`@modelcontextprotocol/server`, `/client`, `/node`). `WRIT_MCP_SDK=v1` or
 * `=v2` runs one of them; unset or `both` runs both (as CI does).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as HttpClientV2,
} from "@modelcontextprotocol/client";
import { StdioClientTransport as StdioClientV2 } from "@modelcontextprotocol/client/stdio";
import { NodeStreamableHTTPServerTransport, toNodeHandler } from "@modelcontextprotocol/node";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport as StdioClientV1 } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport as HttpClientV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { InMemoryTransport as MemoryV1 } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer as McpServerV1 } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport as HttpServerV1 } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import {
  createMcpHandler,
  McpServer as McpServerV2,
  InMemoryTransport as MemoryV2,
} from "@modelcontextprotocol/server";
import { type ZodRawShape, z } from "zod";

export type Generation = "v1" | "v2";

/** A tool result as both generations return it. */
export interface ToolResult {
  readonly content?: readonly { readonly type: string; readonly text?: string }[];
  readonly isError?: boolean;
  readonly _meta?: Record<string, unknown>;
  readonly structuredContent?: unknown;
}

export interface ListedTool {
  readonly name: string;
  readonly _meta?: Record<string, unknown>;
}

/** An SDK Client of either generation, as the tests use it. */
export interface TestClient {
  callTool(params: {
    name: string;
    arguments?: Record<string, unknown>;
    _meta?: Record<string, unknown>;
  }): Promise<ToolResult>;
  listTools(params?: { cursor?: string }): Promise<{ tools: ListedTool[]; nextCursor?: string }>;
  connect(transport: never): Promise<void>;
  getServerVersion(): { name: string; version: string } | undefined;
  close(): Promise<void>;
}

export type ToolCallback = (
  args: Record<string, unknown>,
  context: object,
) => ToolResult | Promise<ToolResult>;

/** An McpServer of either generation, as the tests use it. */
export interface TestServer {
  /** The SDK's own McpServer, as guardMcpServer takes it. */
  readonly sdk: { readonly server: object; connect(transport: never): Promise<void> };
  connect(transport: never): Promise<void>;
  registerTool(
    name: string,
    config: { readonly description?: string; readonly inputSchema?: ZodRawShape },
    callback: ToolCallback,
  ): void;
  close(): Promise<void>;
}

/** What a client answers when a server asks it for something; it declares the capabilities it answers for. */
export interface ClientAnswers {
  readonly sampling?: (params: { messages: unknown[] }) => Promise<Record<string, unknown>>;
  readonly elicitation?: (params: { message: string }) => Promise<Record<string, unknown>>;
  readonly roots?: readonly { readonly uri: string; readonly name?: string }[];
  /** v2 only: speak MCP 2026-07-28 when the server does (`versionNegotiation: auto`). */
  readonly modern?: boolean;
}

export interface Sdk {
  readonly generation: Generation;
  server(name: string): TestServer;
  client(name: string, answers?: ClientAnswers): TestClient;
  /** A Streamable HTTP client transport to `url`, sending `headers` with every request, through `fetch` when given. */
  httpTransport(url: string, options: HttpTransportOptions): never;
  /** A client transport that runs `command` and speaks MCP on its stdin and stdout. */
  stdioTransport(command: StdioCommand): never;
  /** A tool call whose progress notifications reach `onProgress`, cancelled when `signal` aborts. */
  callWithProgress(
    client: TestClient,
    params: { name: string; arguments?: Record<string, unknown> },
    onProgress: (progress: number) => void,
    signal?: AbortSignal,
  ): Promise<ToolResult>;
  /** A connected in-memory transport pair: [client side, server side]. */
  linkedPair(): [never, never];
  /**
   * Serves over Streamable HTTP on loopback: a fresh server per MCP session
   * (2025-11-25), and with v2 also per 2026-07-28 request (both eras on one
   * endpoint, as v2's docs deploy it).
   */
  serveHttp(build: () => TestServer): Promise<{ url: string; close(): Promise<void> }>;
}

export interface HttpTransportOptions {
  readonly headers?: Record<string, string>;
  readonly fetch?: (url: string | URL, init?: RequestInit) => Promise<Response>;
}

export interface StdioCommand {
  readonly command: string;
  readonly args: string[];
  readonly env?: Record<string, string>;
  readonly stderr?: "pipe" | "inherit" | "ignore";
}

function httpOptions(options: HttpTransportOptions) {
  return {
    ...(options.headers ? { requestInit: { headers: options.headers } } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
}

function capabilitiesFor(answers: ClientAnswers): Record<string, object> {
  return {
    ...(answers.sampling ? { sampling: {} } : {}),
    ...(answers.elicitation ? { elicitation: {} } : {}),
    ...(answers.roots ? { roots: {} } : {}),
  };
}

type AnyRegister = (name: string, config: object, callback: ToolCallback) => unknown;

function wrapServer(
  server: McpServerV1 | McpServerV2,
  schema: (shape: ZodRawShape) => unknown,
): TestServer {
  return {
    sdk: server as TestServer["sdk"],
    connect: (transport) => server.connect(transport),
    registerTool(name, config, callback) {
      const { inputSchema, ...rest } = config;
      (server.registerTool as unknown as AnyRegister).call(
        server,
        name,
        inputSchema === undefined ? rest : { ...rest, inputSchema: schema(inputSchema) },
        callback,
      );
    },
    close: () => server.close(),
  };
}

const v1: Sdk = {
  generation: "v1",
  server: (name) => wrapServer(new McpServerV1({ name, version: "1.0.0" }), (shape) => shape),
  client(name, answers = {}) {
    if (answers.modern) throw new Error("SDK v1 speaks MCP 2025-11-25 only.");
    const client = new ClientV1(
      { name, version: "1.0.0" },
      { capabilities: capabilitiesFor(answers) },
    );
    const { sampling, elicitation, roots } = answers;
    if (roots) client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [...roots] }));
    if (sampling) {
      client.setRequestHandler(
        CreateMessageRequestSchema,
        (request) => sampling(request.params) as never,
      );
    }
    if (elicitation) {
      client.setRequestHandler(
        ElicitRequestSchema,
        (request) => elicitation(request.params as { message: string }) as never,
      );
    }
    return client as unknown as TestClient;
  },
  httpTransport: (url, options) => new HttpClientV1(new URL(url), httpOptions(options)) as never,
  stdioTransport: (command) => new StdioClientV1(command) as never,
  callWithProgress: (client, params, onProgress, signal) =>
    (client as unknown as ClientV1).callTool(params, undefined, {
      onprogress: ({ progress }) => onProgress(progress),
      ...(signal ? { signal } : {}),
    }) as Promise<ToolResult>,
  linkedPair: () => MemoryV1.createLinkedPair() as [never, never],
  async serveHttp(build) {
    const sessions = new Map<string, HttpServerV1>();
    return serve(async (req, res) => {
      const id = req.headers["mcp-session-id"];
      const known = typeof id === "string" ? sessions.get(id) : undefined;
      if (known) return known.handleRequest(req, res);
      const transport = new HttpServerV1({
        sessionIdGenerator: () => crypto.randomUUID(),
        onsessioninitialized: (sessionId) => void sessions.set(sessionId, transport),
      });
      await build().connect(transport as never);
      await transport.handleRequest(req, res);
    });
  },
};

const v2: Sdk = {
  generation: "v2",
  server: (name) =>
    wrapServer(new McpServerV2({ name, version: "1.0.0" }), (shape) => z.object(shape)),
  client(name, answers = {}) {
    const client = new ClientV2(
      { name, version: "1.0.0" },
      {
        capabilities: capabilitiesFor(answers),
        ...(answers.modern ? { versionNegotiation: { mode: "auto" } } : {}),
      },
    );
    const { sampling, elicitation, roots } = answers;
    if (roots) client.setRequestHandler("roots/list", () => ({ roots: [...roots] }));
    if (sampling) {
      client.setRequestHandler(
        "sampling/createMessage",
        (request) => sampling(request.params) as never,
      );
    }
    if (elicitation) {
      client.setRequestHandler(
        "elicitation/create",
        (request) => elicitation(request.params as { message: string }) as never,
      );
    }
    return client as unknown as TestClient;
  },
  httpTransport: (url, options) => new HttpClientV2(new URL(url), httpOptions(options)) as never,
  stdioTransport: (command) => new StdioClientV2(command) as never,
  callWithProgress: (client, params, onProgress, signal) =>
    (client as unknown as ClientV2).callTool(params, {
      onprogress: ({ progress }) => onProgress(progress),
      ...(signal ? { signal } : {}),
    }) as Promise<ToolResult>,
  linkedPair: () => MemoryV2.createLinkedPair() as [never, never],
  async serveHttp(build) {
    const modern = toNodeHandler(createMcpHandler(() => build().sdk as McpServerV2));
    const sessions = new Map<string, NodeStreamableHTTPServerTransport>();
    return serve(async (req, res) => {
      const id = req.headers["mcp-session-id"];
      const known = typeof id === "string" ? sessions.get(id) : undefined;
      if (known) return known.handleRequest(req, res);
      const body = req.method === "POST" ? await readBody(req) : undefined;
      if ((body as { method?: unknown } | undefined)?.method !== "initialize") {
        return modern(req as never, res, body);
      }
      const transport: NodeStreamableHTTPServerTransport = new NodeStreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
        onsessioninitialized: (sessionId) => void sessions.set(sessionId, transport),
      });
      await build().connect(transport as never);
      await transport.handleRequest(req, res, body);
    });
  },
};

async function readBody(req: import("node:http").IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return undefined;
  }
}

async function serve(
  handle: (
    req: import("node:http").IncomingMessage,
    res: import("node:http").ServerResponse,
  ) => Promise<void>,
): Promise<{ url: string; close(): Promise<void> }> {
  const http: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`,
    close: () => {
      http.closeAllConnections();
      return new Promise((resolve) => http.close(() => resolve()));
    },
  };
}

const selected = process.env.WRIT_MCP_SDK;
if (selected !== undefined && selected !== "v1" && selected !== "v2" && selected !== "both") {
  throw new Error(`WRIT_MCP_SDK is "v1", "v2" or "both" (the default), not "${selected}".`);
}

/** The SDK generations this run covers. */
export const SDKS: readonly Sdk[] = selected === "v1" ? [v1] : selected === "v2" ? [v2] : [v1, v2];
