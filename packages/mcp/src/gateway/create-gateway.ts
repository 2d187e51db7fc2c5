import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type JsonWebKeySet, systemClock, usableActions } from "@writ/core";
import { writFromAuthorization } from "../shared/http-carriage.js";
import {
  createSessionEndpoint,
  type LogMessage,
  type SessionHandlers,
  type Tool,
} from "../shared/mcp-sdk.js";
import { WRIT_META } from "../shared/writ-meta.js";
import { DownstreamTokens } from "./downstream-tokens.js";
import type { GatewayEvent } from "./gateway-event.js";
import { checkGatewayOptions, type GatewayOptions } from "./gateway-options.js";
import { GatewaySessions } from "./gateway-sessions.js";
import { gatewayTokenFetch } from "./gateway-token-fetch.js";
import { GatewayToolCalls, isToolCallMessage } from "./gateway-tool-calls.js";
import { challengeFor, type HttpChallenge, wwwAuthenticate } from "./http-challenge.js";
import {
  protectedResourceMetadata,
  protectedResourceMetadataPaths,
} from "./protected-resource-metadata.js";
import { readJsonBody } from "./read-json-body.js";
import { ToolCatalog } from "./tool-catalog.js";
import { Upstream } from "./upstream.js";

export interface Gateway {
  /** The public URL of the MCP endpoint (the guard's audience). */
  readonly resource: string;
  /** A Node request listener serving the MCP endpoint, its metadata and the JWKS. */
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void;
  /**
   * Resolves once every upstream has had its first connection attempt (a
   * failed one is retried with backoff). Upstreams start connecting when the
   * gateway is created; serve `handle` first, since an HTTP upstream may fetch
   * the gateway's JWKS while it is being connected to.
   */
  ready(): Promise<void>;
  /** Serves `handle` on its own server. Default: loopback only, on the port of the resource URL. */
  listen(options?: {
    readonly host?: string;
    readonly port?: number;
  }): Promise<{ readonly host: string; readonly port: number }>;
  /** The keys minted tokens are signed with, also served at `/.well-known/jwks.json`. */
  jwks(): JsonWebKeySet;
  /** Whether each upstream is connected right now. */
  upstreams(): Readonly<Record<string, boolean>>;
  /** Closes sessions, upstream connections (stopping stdio servers) and the server listen() started. */
  close(): Promise<void>;
}

const JWKS_PATH = "/.well-known/jwks.json";

/**
 * A Streamable HTTP MCP server in front of existing MCP servers. Each request
 * needs a valid writ (`Authorization: DPoP`, else 401 with the resource
 * metadata's address); each tools/call a proof bound to it (`DPoP` header).
 * The guard decides the call (403 `insufficient_scope` when the writ lacks
 * the action; a condition or live refusal is an `isError` result), records
 * the decision, and only then is the call forwarded, with a short-lived token
 * of the gateway's own for HTTP upstreams in place of the writ, which never
 * leaves the gateway. tools/list shows each caller only what its writ could use.
 */
export function createGateway(options: GatewayOptions): Gateway {
  const settings = checkGatewayOptions(options);
  const { guard, resource, onEvent } = settings;
  const tokens = new DownstreamTokens(settings.signingKey, {
    issuer: settings.issuer,
    clientId: settings.clientId,
    ttl: settings.tokenTtl,
    clock: systemClock,
  });
  const sessions = new GatewaySessions(settings.sessionIdleMs);
  // Callers hear about upstream failures and recoveries as log messages too.
  const report = (event: GatewayEvent): void => {
    onEvent(event);
    const message = upstreamLog(event);
    if (message === undefined) return;
    for (const endpoint of sessions.endpoints()) void endpoint.log(message).catch(() => {});
  };
  const notifySessions = () => {
    for (const endpoint of sessions.endpoints()) void endpoint.notifyToolsChanged().catch(() => {});
  };
  const upstreams = settings.upstreams.map(({ name, spec, actions, audience, provider }) => ({
    actions,
    audience,
    provider,
    upstream: new Upstream({
      name,
      spec:
        spec.kind === "http"
          ? { kind: "http", url: spec.url, fetch: gatewayTokenFetch(tokens, audience ?? "") }
          : spec,
      timeouts: settings.timeouts,
      backoff: settings.backoff,
      onEvent: report,
      onToolsChanged: notifySessions,
    }),
  }));
  const catalog = new ToolCatalog(upstreams, report);
  const toolCalls = new GatewayToolCalls({
    guard,
    catalog,
    tokens,
    resource,
    audiences: new Map(
      upstreams.flatMap(({ upstream, audience }) =>
        audience === undefined ? [] : [[upstream, audience] as const],
      ),
    ),
    providers: new Map(
      upstreams.flatMap(({ upstream, provider }) =>
        provider === undefined ? [] : [[upstream, provider] as const],
      ),
    ),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
  });
  const resourceUrl = new URL(resource);
  const metadataPaths = new Set(protectedResourceMetadataPaths(resourceUrl));
  const metadataUrl = `${resourceUrl.origin}${protectedResourceMetadataPaths(resourceUrl).at(-1)}`;
  const metadata = protectedResourceMetadata({
    resource,
    jwksUri: `${resourceUrl.origin}${JWKS_PATH}`,
    ...(settings.authorizationServers
      ? { authorizationServers: settings.authorizationServers }
      : {}),
  });

  const handlers: SessionHandlers = {
    async listTools(context) {
      const usable = usableActions(guard, context.auth?.token);
      const tools: Tool[] = [];
      for (const { action, tool } of catalog.entries()) {
        if (usable(action)) {
          tools.push({ ...tool, _meta: { ...tool._meta, [WRIT_META.action]: action } });
        }
      }
      return tools;
    },
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (req.method === "GET" && metadataPaths.has(path)) return sendJson(res, 200, metadata);
    if (req.method === "GET" && path === JWKS_PATH) return sendJson(res, 200, tokens.jwks());
    if (path !== resourceUrl.pathname) return sendJson(res, 404, { error: "not_found" });
    if (!settings.allowedHosts.includes(req.headers.host ?? "")) {
      return sendRpcError(res, 403, "Forbidden: this Host is not served here.");
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !settings.allowedOrigins.includes(origin)) {
      return sendRpcError(res, 403, "Forbidden: requests from this Origin are not accepted.");
    }
    if (req.method !== "POST" && req.method !== "GET" && req.method !== "DELETE") {
      res.setHeader("allow", "GET, POST, DELETE");
      return sendRpcError(res, 405, "Method not allowed.");
    }
    const writ = writFromAuthorization(req.headers.authorization);
    if (writ === undefined) return sendChallenge(res, { status: 401 }, metadataUrl);
    const check = guard.checkWrit(writ);
    if (!check.valid) {
      return sendChallenge(res, challengeFor(check.code) ?? { status: 401 }, metadataUrl);
    }
    const principal = JSON.stringify([check.tenant ?? null, check.user, check.agent]);
    const header = req.headers["mcp-session-id"];
    const sessionId = typeof header === "string" ? header : undefined;
    const session = sessionId === undefined ? undefined : sessions.find(sessionId, principal);
    if (sessionId !== undefined && session === undefined) {
      return sendRpcError(res, 404, "Session not found.", -32001);
    }
    if (req.method !== "POST") {
      if (session === undefined) {
        return sendRpcError(res, 400, "Bad Request: an Mcp-Session-Id header is required.");
      }
      return session.handle(req, res, undefined, { token: writ });
    }
    const read = await readJsonBody(req, settings.maxBodyBytes);
    if (!read.ok) return sendRpcError(res, read.status, read.message, -32700);
    const messages: unknown[] = Array.isArray(read.body) ? read.body : [read.body];
    const toolCall = messages.find(isToolCallMessage);
    if (toolCall !== undefined) {
      if (messages.length > 1) {
        return sendRpcError(
          res,
          400,
          "Bad Request: send tools/call on its own, since its proof travels in the DPoP header.",
          -32600,
        );
      }
      if (session === undefined || sessionId === undefined) {
        return sendRpcError(res, 400, "Bad Request: no valid session; initialize first.");
      }
      if (!acceptsStreamableHttp(req)) {
        return sendRpcError(
          res,
          406,
          "Not Acceptable: accept application/json and text/event-stream.",
        );
      }
      const challenge = await toolCalls.answer(toolCall, { writ, sessionId, session, req, res });
      if (challenge) sendChallenge(res, challenge, metadataUrl);
      return;
    }
    if (session !== undefined && sessionId !== undefined) {
      for (const message of messages) {
        const cancelled = cancelledRequest(message);
        if (cancelled !== undefined) toolCalls.cancel(sessionId, cancelled);
      }
      // Answers to requests relayed from an upstream go back to it, not to this session's server.
      const rest = messages.filter((message) => !toolCalls.settle(sessionId, message));
      if (rest.length === 0) {
        res.writeHead(202).end();
        return;
      }
      const body = Array.isArray(read.body) ? rest : rest[0];
      return session.handle(req, res, body, { token: writ });
    }
    if (!messages.some(isInitializeMessage)) {
      return sendRpcError(res, 400, "Bad Request: no valid session; initialize first.");
    }
    const endpoint = await createSessionEndpoint({
      onInitialized: (id, opened) => sessions.add(id, opened, principal),
      onClosed: (id) => sessions.remove(id),
      handlers,
    });
    return endpoint.handle(req, res, read.body, { token: writ });
  }

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    route(req, res).catch((error: unknown) => {
      onEvent({
        type: "gateway.error",
        reason: error instanceof Error ? error.message : String(error),
      });
      if (!res.headersSent) sendRpcError(res, 500, "Internal error.", -32603);
      else res.destroy();
    });
  };

  const started = Promise.all(upstreams.map(({ upstream }) => upstream.start())).then(() => {});
  let listening: Server | undefined;

  return {
    resource,
    handle,
    ready: () => started,
    async listen({ host = "127.0.0.1", port = defaultPort(resourceUrl) } = {}) {
      if (listening) throw new TypeError("The gateway is already listening.");
      const server = createServer(handle);
      listening = server;
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => resolve());
      });
      const address = server.address();
      return { host, port: typeof address === "object" && address ? address.port : port };
    },
    jwks: () => tokens.jwks(),
    upstreams: () =>
      Object.fromEntries(upstreams.map(({ upstream }) => [upstream.name, upstream.connected])),
    async close() {
      await sessions.close();
      await Promise.allSettled(upstreams.map(({ upstream }) => upstream.close()));
      const server = listening;
      listening = undefined;
      if (server) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}

/** What a caller is told of an upstream's state, in MCP logging's words. */
function upstreamLog(event: GatewayEvent): LogMessage | undefined {
  const logger = "writ-gateway";
  switch (event.type) {
    case "upstream.down":
      return {
        level: "warning",
        logger,
        data: `The MCP server "${event.upstream}" is unavailable; retrying in ${event.retryInMs} ms.`,
      };
    case "upstream.hung":
      return {
        level: "warning",
        logger,
        data: `The MCP server "${event.upstream}" stopped answering; restarting it.`,
      };
    case "upstream.connected":
      return { level: "info", logger, data: `The MCP server "${event.upstream}" is available.` };
    default:
      return undefined;
  }
}

function isInitializeMessage(message: unknown): boolean {
  return (
    message !== null &&
    typeof message === "object" &&
    (message as { method?: unknown }).method === "initialize"
  );
}

/** The request id a notifications/cancelled names, if the message is one. */
function cancelledRequest(message: unknown): unknown {
  if (message === null || typeof message !== "object") return undefined;
  const { method, params } = message as { method?: unknown; params?: { requestId?: unknown } };
  return method === "notifications/cancelled" ? params?.requestId : undefined;
}

/** Streamable HTTP asks clients to accept both a JSON answer and an event stream. */
function acceptsStreamableHttp(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? "";
  return accept.includes("application/json") && accept.includes("text/event-stream");
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

function sendRpcError(res: ServerResponse, status: number, message: string, code = -32000): void {
  sendJson(res, status, { jsonrpc: "2.0", error: { code, message }, id: null });
}

function sendChallenge(res: ServerResponse, challenge: HttpChallenge, metadataUrl: string): void {
  if (challenge.status === 503) {
    res.setHeader("retry-after", "1");
    sendJson(res, 503, {
      error: "temporarily_unavailable",
      error_description: challenge.code ?? "unavailable",
    });
    return;
  }
  res.setHeader("www-authenticate", wwwAuthenticate(challenge, metadataUrl));
  sendJson(res, challenge.status, {
    error: challenge.error ?? "unauthorized",
    ...(challenge.code ? { error_description: challenge.code } : {}),
  });
}

function defaultPort(url: URL): number {
  return url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
}
