import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { continueTrace, isWritError, type JsonWebKeySet, systemClock } from "@writ/core";
import { canonicalJson, DPOP_ALGORITHMS } from "@writ/core/backend";
import {
  isNotification,
  isRequest,
  isResponse,
  type JsonRpcErrorBody,
  type JsonRpcRequest,
  RPC_ERROR,
} from "../shared/json-rpc.js";
import { headerMismatch } from "../shared/mcp-headers.js";
import {
  isModernVersion,
  LEGACY_VERSIONS,
  MCP_META,
  MODERN_VERSIONS,
} from "../shared/mcp-protocol.js";
import { isRecord, type LogMessage } from "../shared/mcp-types.js";
import { AcceptedWrits } from "./accepted-writs.js";
import {
  authenticateCaller,
  type Caller,
  type RequestCredentials,
  requestCredentials,
} from "./caller-credentials.js";
import type { CallerSession } from "./caller-session.js";
import { CallerSessions } from "./caller-sessions.js";
import { DownstreamTokens } from "./downstream-tokens.js";
import { GatewayCatalog } from "./gateway-catalog.js";
import type { GatewayEvent } from "./gateway-event.js";
import { checkGatewayOptions, type GatewayOptions } from "./gateway-options.js";
import { GatewayRequests, GUARDED_METHODS } from "./gateway-requests.js";
import { bearerChallenge, type HttpChallenge, wwwAuthenticate } from "./http-challenge.js";
import { InputContinuations } from "./input-continuations.js";
import { OAuthCallers } from "./oauth-caller.js";
import {
  protectedResourceMetadata,
  protectedResourceMetadataPaths,
} from "./protected-resource-metadata.js";
import { readJsonBody } from "./read-json-body.js";
import { RequestRelay } from "./relay-request.js";
import { ResponseStream } from "./response-stream.js";
import { Upstream, type UpstreamStatus } from "./upstream.js";

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
  /** Each upstream's state: connected, its protocol, why it is down, the last lines of a stdio server's stderr. */
  status(): Readonly<Record<string, UpstreamStatus>>;
  /** Closes sessions, upstream connections (stopping stdio servers) and the server listen() started. */
  close(): Promise<void>;
}

const JWKS_PATH = "/.well-known/jwks.json";

/**
 * A Streamable HTTP MCP server in front of existing MCP servers, speaking MCP
 * 2025-11-25 (sessions) and 2026-07-28 (stateless) to callers and to
 * upstreams, whichever each speaks. Each request needs a valid writ
 * (`Authorization: DPoP`, or `dev.writ/writ` in the message's `_meta`; else
 * 401 with the resource metadata's address); each guarded request
 * (tools/call, prompts/get, resources/read, resources/subscribe) a proof for
 * it (`DPoP` header, bound to the request, or `dev.writ/proof` in `_meta`);
 * a writ or proof in both places must be the same. The guard decides
 * (403 `insufficient_scope` when the writ lacks the action; a condition or
 * live refusal is answered in MCP), records the decision, and only then is
 * the request relayed, with a short-lived token of the gateway's own for HTTP
 * upstreams in place of the writ, which never leaves the gateway. Lists show
 * each caller only what its writ could use; what upstreams ask of callers
 * (sampling, elicitation, roots) reaches the caller it is for.
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
  const sessions = new CallerSessions(settings.sessions);
  const oauth = settings.authorizationServer
    ? new OAuthCallers({
        guard,
        trust: settings.authorizationServer,
        holder: settings.signingKey,
        clock: systemClock,
      })
    : undefined;
  const continuations = new InputContinuations(settings.timeouts.callMs);
  const accepted = new AcceptedWrits();
  // Callers hear about upstream failures and recoveries as log messages too.
  const report = (event: GatewayEvent): void => {
    onEvent(event);
    const message = upstreamLog(event);
    if (message === undefined) return;
    for (const session of sessions.all()) {
      if (session.wantsLog(message.level)) {
        session.push({ jsonrpc: "2.0", method: "notifications/message", params: { ...message } });
      }
    }
  };
  let requests: GatewayRequests | undefined;
  const configured = settings.upstreams.map(
    ({ name, spec, actions, prompts, resourceAction, validateArguments, audience, provider }) => ({
      tools: actions,
      prompts,
      resourceAction,
      validateArguments,
      audience,
      provider,
      upstream: new Upstream({
        name,
        spec:
          spec.kind === "http"
            ? { kind: "http", url: spec.url, token: () => tokens.forGateway(audience ?? "") }
            : spec,
        timeouts: settings.timeouts,
        backoff: settings.backoff,
        onEvent: report,
        onChanged: (kind) => requests?.listChanged(kind, sessions.all()),
        onResourceUpdated: () => {
          // Resource updates reach callers through their own sessions' subscriptions.
        },
      }),
    }),
  );
  const catalog = new GatewayCatalog(configured, report);
  const relay = new RequestRelay({
    continuations,
    // Callers without a session that declare the same capabilities share a connection to a legacy upstream.
    modernScope: (capabilities) => ({
      key: `capabilities:${canonicalJson(capabilities)}`,
      capabilities,
      listener: {
        onNotification: () => {},
        onRequest: async () => ({
          error: {
            code: -32601,
            message: "A caller without a session cannot be asked outside a request.",
          },
        }),
        onClose: () => {},
      },
    }),
  });
  requests = new GatewayRequests({
    guard,
    catalog,
    relay,
    continuations,
    tokens,
    resource,
    audiences: new Map(
      configured.flatMap(({ upstream, audience }) =>
        audience === undefined ? [] : [[upstream, audience] as const],
      ),
    ),
    providers: new Map(
      configured.flatMap(({ upstream, provider }) =>
        provider === undefined ? [] : [[upstream, provider] as const],
      ),
    ),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
  });
  const answering = requests;
  const resourceUrl = new URL(resource);
  const metadataPaths = new Set(protectedResourceMetadataPaths(resourceUrl));
  const metadataUrl = `${resourceUrl.origin}${protectedResourceMetadataPaths(resourceUrl).at(-1)}`;
  const metadata = protectedResourceMetadata({
    resource,
    jwksUri: `${resourceUrl.origin}${JWKS_PATH}`,
    acceptsBearer: oauth !== undefined,
    ...(settings.authorizationServers
      ? { authorizationServers: settings.authorizationServers }
      : {}),
  });
  /** The caller's requests in flight, by session and request id, for notifications/cancelled. */
  const inFlight = new Map<string, AbortController>();

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (req.method === "GET" && metadataPaths.has(path)) return sendJson(res, 200, metadata);
    if (req.method === "GET" && path === JWKS_PATH) return sendJson(res, 200, tokens.jwks());
    if (path !== resourceUrl.pathname) return sendJson(res, 404, { error: "not_found" });
    if (!settings.allowedHosts.includes(req.headers.host ?? "")) {
      return sendRpcError(res, 403, {
        code: -32000,
        message: "Forbidden: this Host is not served here.",
      });
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !settings.allowedOrigins.includes(origin)) {
      return sendRpcError(res, 403, {
        code: -32000,
        message: "Forbidden: requests from this Origin are not accepted.",
      });
    }
    if (req.method !== "POST" && req.method !== "GET" && req.method !== "DELETE") {
      res.setHeader("allow", "GET, POST, DELETE");
      return sendRpcError(res, 405, { code: -32000, message: "Method not allowed." });
    }
    // A POST's credentials may ride in its message's `_meta`: read it before authenticating.
    let message: unknown;
    if (req.method === "POST") {
      const read = await readJsonBody(req, settings.maxBodyBytes);
      if (!read.ok)
        return sendRpcError(res, read.status, { code: RPC_ERROR.parse, message: read.message });
      message = read.body;
      if (Array.isArray(message)) {
        return sendRpcError(res, 400, {
          code: RPC_ERROR.invalidRequest,
          message:
            "Invalid Request: send one JSON-RPC message per POST (batches are not part of MCP 2025-06-18 and later).",
        });
      }
    }
    const credentials = requestCredentials(req, message);
    if ("conflict" in credentials) {
      return sendRpcError(
        res,
        400,
        {
          code: RPC_ERROR.invalidRequest,
          message: `Invalid Request: the ${credentials.conflict} in the HTTP headers and the one in params._meta differ; send it in one place (or the same in both).`,
          data: { code: "gateway.credentials_conflict" },
        },
        isRequest(message) ? message.id : null,
      );
    }
    const authenticated = authenticateCaller(guard, credentials, {
      oauth,
      accepted,
      method: req.method ?? "GET",
      guarded: isRequest(message) && GUARDED_METHODS.has(message.method),
    });
    if ("challenge" in authenticated)
      return sendChallenge(res, authenticated.challenge, metadataUrl, oauth !== undefined);
    const { caller } = authenticated;
    const header = req.headers["mcp-session-id"];
    const session =
      typeof header === "string" ? sessions.find(header, caller.principal) : undefined;
    if (typeof header === "string" && session === undefined) {
      return sendRpcError(res, 404, { code: -32001, message: "Session not found." });
    }
    if (req.method === "GET") {
      if (session === undefined) {
        return isModernVersion(req.headers["mcp-protocol-version"])
          ? sendRpcError(res, 405, {
              code: -32000,
              message:
                "Method not allowed: MCP 2026-07-28 has no GET stream; use subscriptions/listen.",
            })
          : sendRpcError(res, 400, {
              code: -32000,
              message: "Bad Request: an Mcp-Session-Id header is required.",
            });
      }
      const stream = new ResponseStream(res, { "mcp-session-id": session.id });
      if (!session.attachStandalone(stream)) {
        return sendRpcError(res, 409, {
          code: -32000,
          message: "Conflict: this session's stream is already open.",
        });
      }
      return;
    }
    if (req.method === "DELETE") {
      if (session === undefined) {
        return sendRpcError(res, 405, {
          code: -32000,
          message: "Method not allowed: no session to end.",
        });
      }
      await sessions.end(session);
      res.writeHead(200).end();
      return;
    }
    if (!acceptsStreamableHttp(req)) {
      return sendRpcError(res, 406, {
        code: -32000,
        message: "Not Acceptable: accept application/json and text/event-stream.",
      });
    }
    if (session !== undefined) return legacyMessage(message, session, caller, credentials, res);
    if (isRequest(message) && message.method === "initialize")
      return initialize(message, caller, res);
    const modern = modernRequest(req, message);
    if (modern === undefined) {
      return sendRpcError(res, 400, {
        code: -32000,
        message:
          "Bad Request: no valid session; initialize first (MCP 2025-11-25), or send MCP 2026-07-28 request metadata.",
      });
    }
    if (modern !== true)
      return sendRpcError(res, 400, modern, isRequest(message) ? message.id : null);
    if (!isRequest(message)) {
      res.writeHead(202).end();
      return;
    }
    const stream = new ResponseStream(res);
    const cancel = new AbortController();
    stream.onHangUp(() => cancel.abort());
    const meta = isRecord(message.params?._meta) ? message.params._meta : {};
    const capabilities = meta[MCP_META.clientCapabilities];
    const logLevel = meta[MCP_META.logLevel];
    const challenge = await answering.answer(message, {
      caller,
      era: "modern",
      session: undefined,
      capabilities: isRecord(capabilities) ? capabilities : {},
      logLevel: typeof logLevel === "string" ? logLevel : undefined,
      credentials,
      stream,
      signal: cancel.signal,
    });
    if (challenge) sendChallenge(res, challenge, metadataUrl, oauth !== undefined);
  }

  /**
   * Whether a POST without a session is a 2026-07-28 request: its version in
   * `_meta` (or, for a notification, in the header). Returns the error to
   * answer (400) when its version is not spoken here or its headers do not
   * match its body; undefined when it is not one.
   */
  function modernRequest(
    req: IncomingMessage,
    message: unknown,
  ): true | JsonRpcErrorBody | undefined {
    const params = isRecord(message) && isRecord(message.params) ? message.params : {};
    const meta = isRecord(params._meta) ? params._meta : {};
    const header = req.headers["mcp-protocol-version"];
    const version =
      meta[MCP_META.protocolVersion] ?? (isNotification(message) ? header : undefined);
    if (version === undefined) return undefined;
    if (!isModernVersion(version)) {
      return {
        code: RPC_ERROR.unsupportedVersion,
        message: "Unsupported protocol version",
        data: { supported: [...MODERN_VERSIONS, ...LEGACY_VERSIONS], requested: version },
      };
    }
    const mismatch =
      header !== version
        ? "the MCP-Protocol-Version header does not match the request's protocol version"
        : isRequest(message)
          ? headerMismatch(
              (name) => {
                const value = req.headers[name];
                return typeof value === "string" ? value : undefined;
              },
              message,
              message.method === "tools/call" && typeof params.name === "string"
                ? (catalog.tool(params.name)?.paramHeaders ?? [])
                : [],
            )
          : undefined;
    if (mismatch !== undefined) {
      return { code: RPC_ERROR.headerMismatch, message: `Header mismatch: ${mismatch}.` };
    }
    return true;
  }

  function initialize(message: JsonRpcRequest, caller: Caller, res: ServerResponse): void {
    const params = message.params ?? {};
    let session: CallerSession;
    try {
      session = sessions.open({
        principal: caller.principal,
        protocolVersion: String(answering.initialized(params.protocolVersion).protocolVersion),
        capabilities: isRecord(params.capabilities) ? params.capabilities : {},
        relayTimeoutMs: settings.timeouts.callMs,
      });
    } catch (error) {
      if (!isWritError(error)) throw error;
      res.setHeader("retry-after", "60");
      sendRpcError(
        res,
        429,
        { code: -32000, message: error.message, data: { code: error.code } },
        message.id,
      );
      return;
    }
    new ResponseStream(res, { "mcp-session-id": session.id }).result(
      message.id,
      answering.initialized(params.protocolVersion),
    );
  }

  async function legacyMessage(
    message: unknown,
    session: CallerSession,
    caller: Caller,
    credentials: RequestCredentials,
    res: ServerResponse,
  ): Promise<void> {
    if (isResponse(message) || isNotification(message)) {
      // Answers to requests relayed from an upstream go back to it; notifications are acted on.
      if (!session.settle(message) && isNotification(message)) notified(session, message);
      res.writeHead(202).end();
      return;
    }
    if (!isRequest(message)) {
      return sendRpcError(res, 400, {
        code: RPC_ERROR.invalidRequest,
        message: "Invalid Request.",
      });
    }
    if (message.method === "initialize") {
      return sendRpcError(
        res,
        400,
        {
          code: RPC_ERROR.invalidRequest,
          message: "Invalid Request: the session is already initialized.",
        },
        message.id,
      );
    }
    const stream = new ResponseStream(res, { "mcp-session-id": session.id });
    const cancel = new AbortController();
    const key = `${session.id} ${JSON.stringify(message.id)}`;
    inFlight.set(key, cancel);
    stream.onHangUp(() => cancel.abort());
    session.track(stream);
    try {
      const challenge = await answering.answer(message, {
        caller,
        era: "legacy",
        session,
        capabilities: session.capabilities,
        logLevel: undefined,
        credentials,
        stream,
        signal: cancel.signal,
      });
      if (challenge) sendChallenge(res, challenge, metadataUrl, oauth !== undefined);
    } finally {
      inFlight.delete(key);
      session.untrack(stream);
    }
  }

  function notified(
    session: CallerSession,
    notification: { method: string; params?: Record<string, unknown> },
  ): void {
    if (notification.method === "notifications/cancelled") {
      inFlight.get(`${session.id} ${JSON.stringify(notification.params?.requestId)}`)?.abort();
    } else if (notification.method === "notifications/roots/list_changed") {
      for (const upstream of session.upstreams()) {
        void upstream.notifyScoped(session.id, notification.method);
      }
    }
  }

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    // A caller in a trace (W3C traceparent header) has its requests continue it.
    continueTrace(req.headers, () => route(req, res)).catch((error: unknown) => {
      onEvent({
        type: "gateway.error",
        reason: error instanceof Error ? error.message : String(error),
      });
      if (!res.headersSent)
        sendRpcError(res, 500, { code: RPC_ERROR.internal, message: "Internal error." });
      else res.destroy();
    });
  };

  const started = Promise.all(configured.map(({ upstream }) => upstream.start())).then(() => {});
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
      Object.fromEntries(configured.map(({ upstream }) => [upstream.name, upstream.connected])),
    status: () =>
      Object.fromEntries(configured.map(({ upstream }) => [upstream.name, upstream.status()])),
    async close() {
      answering.close();
      await sessions.close();
      await Promise.allSettled(configured.map(({ upstream }) => upstream.close()));
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

/** Streamable HTTP asks clients to accept both a JSON answer and an event stream. */
function acceptsStreamableHttp(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? "";
  return accept.includes("application/json") && accept.includes("text/event-stream");
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

function sendRpcError(
  res: ServerResponse,
  status: number,
  error: JsonRpcErrorBody,
  id: JsonRpcRequest["id"] | null = null,
): void {
  sendJson(res, status, { jsonrpc: "2.0", error, id });
}

function sendChallenge(
  res: ServerResponse,
  challenge: HttpChallenge,
  metadataUrl: string,
  bearer: boolean,
): void {
  if (challenge.status === 503) {
    res.setHeader("retry-after", "1");
    sendJson(res, 503, {
      error: "temporarily_unavailable",
      error_description: challenge.code ?? "unavailable",
    });
    return;
  }
  const dpop = wwwAuthenticate(challenge, metadataUrl, bearer ? DPOP_ALGORITHMS : ["EdDSA"]);
  res.setHeader(
    "www-authenticate",
    bearer ? [bearerChallenge(challenge, metadataUrl), dpop] : dpop,
  );
  sendJson(res, challenge.status, {
    error: challenge.error ?? "unauthorized",
    ...(challenge.code ? { error_description: challenge.code } : {}),
  });
}

function defaultPort(url: URL): number {
  return url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
}
