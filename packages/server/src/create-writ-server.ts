import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { OpenAPIHono } from "@hono/zod-openapi";
import { CredentialBroker } from "@writ/broker";
import { type Clock, isWritError, systemClock, WritError } from "@writ/core";
import { type TracedRequest, traceServerRequest } from "@writ/core/backend";
import type { Context } from "hono";
import { routePath } from "hono/route";
import { AgentTokenVerifier } from "./auth/agent-token-verifier.js";
import { type ApiKeySource, ApiKeyVerifier } from "./auth/api-key-verifier.js";
import { addressOf, authenticate, throttle } from "./auth/authenticate.js";
import type { ServerEnv } from "./auth/caller.js";
import type { ConsoleOptions } from "./console/console-options.js";
import { registerConsoleRoutes } from "./console/console-routes.js";
import { ConsoleSessions } from "./console/console-sessions.js";
import { oauthError, TokenExchange, type TokenExchangeOptions } from "./exchange/token-exchange.js";
import { registerTokenRoute, TOKEN_PATH } from "./exchange/token-route.js";
import { invalidRequest } from "./http/invalid-request.js";
import { problem, problemOf } from "./http/problem-details.js";
import { problemResponse } from "./http/problem-response.js";
import { type RateLimit, RateLimiter } from "./http/rate-limiter.js";
import { bodyError, boundedUtf8Bodies } from "./http/request-body.js";
import { registerEventsRoute } from "./live/events-route.js";
import { LedgerTail } from "./live/ledger-tail.js";
import { LiveHub } from "./live/live-hub.js";
import { registerLiveRoute } from "./live/live-route.js";
import type { OAuthServerOptions } from "./oauth/oauth-options.js";
import { type OAuthTokenGrants, registerOAuthRoutes } from "./oauth/oauth-routes.js";
import { registerAgentRoutes } from "./routes/agent-routes.js";
import { registerApiKeyRoutes } from "./routes/api-key-routes.js";
import { registerApprovalRoutes } from "./routes/approval-routes.js";
import { registerBudgetRoutes } from "./routes/budget-routes.js";
import { registerCallRoutes } from "./routes/call-routes.js";
import { registerConnectionRoutes } from "./routes/connection-routes.js";
import { registerCredentialTokenRoute } from "./routes/credential-token-route.js";
import { registerDelegationRoutes } from "./routes/delegation-routes.js";
import { registerDiscoveryRoutes } from "./routes/discovery-routes.js";
import { registerKeyRoutes } from "./routes/key-routes.js";
import { registerLedgerRoutes } from "./routes/ledger-routes.js";
import { registerPolicyRoutes } from "./routes/policy-routes.js";
import { registerRevocationRoutes } from "./routes/revocation-routes.js";
import { registerRoleRoutes } from "./routes/role-routes.js";
import type { RouteContext, WritApp } from "./routes/route-context.js";
import { registerTenantRoutes } from "./routes/tenant-routes.js";
import { registerUserRoutes } from "./routes/user-routes.js";
import { registerWritRoutes } from "./routes/writ-routes.js";
import { SERVER_VERSION } from "./server-version.js";
import type { WritStore } from "./writ-store.js";

export interface WritServerOptions {
  /** The store: sqliteBackend() or postgresBackend(). The server never closes it: close it after the server. */
  readonly store: WritStore;
  /**
   * API keys accepted besides those in the store (hashed records, or a
   * function returning the current list). Default none: keys live in the
   * store (`store.createApiKey()`, `POST /v1/api-keys`, `writ api-keys
   * create`), so every instance accepts the same keys. Revoking one of these
   * through the API works like revoking a stored key.
   */
  readonly apiKeys?: ApiKeySource;
  /**
   * This server's audience: actor tokens and agent-signed requests must name
   * it, so a token made for one server is refused by another. Use the
   * public base URL (`https://writ.example.com`) or a stable URN.
   */
  readonly audience: string;
  /** Identity providers for RFC 8693 token exchange. Default: token exchange off. */
  readonly tokenExchange?: TokenExchangeOptions;
  /**
   * The credential broker (`createCredentialBroker()` from @writ/broker, on
   * this store), for the provider connection routes: connect, callback,
   * list, disconnect, re-wrap. Default: those routes are off.
   */
  readonly credentials?: CredentialBroker;
  /** Largest request body in bytes; larger requests get 413. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Per API key or agent. Default 1000 requests/s, bursts of 2000 (a busy remote guard appends twice a call). */
  readonly rateLimit?: RateLimit;
  /** Per client address, for public routes and failed authentication. Default 20/s, bursts of 60. */
  readonly addressRateLimit?: RateLimit;
  readonly live?: {
    /** Heartbeat period of the live feed when the store is embedded (SQLite), in ms. Default 500. */
    readonly heartbeatMs?: number;
    /** Changes kept for clients resuming by Last-Event-ID. Default 10,000. */
    readonly replayBuffer?: number;
    /** Open feeds per API key. Default 64. */
    readonly maxConnectionsPerCaller?: number;
    /** Events queued for a slow client before it is dropped (it resumes). Default 10,000. */
    readonly maxQueuedEvents?: number;
  };
  /**
   * The console (web UI) at /console, on this origin: sign-in with an API key
   * (admin, approve or read) or, with `oidc`, through identity providers of
   * `tokenExchange`. Default on; `{ enabled: false }` turns it off.
   */
  readonly console?: ConsoleOptions;
  /**
   * The OAuth authorization server for MCP gateways, for stock MCP clients
   * (Claude Desktop, VS Code, Cursor, MCP Inspector): metadata, registration,
   * sign-in through `console.oidc` and consent, tokens for the gateways in
   * `resources`. Default off.
   */
  readonly oauth?: OAuthServerOptions;
  /** Longest lifetime accepted for agent tokens (actor tokens, signed requests), in seconds. Default 300. */
  readonly agentTokenLifetime?: number;
  /** Clock skew tolerated on agent tokens, in seconds. Default 60. */
  readonly clockSkew?: number;
  readonly clock?: Clock;
  /** Told of unexpected failures (answered 500). Default: a process warning with the error's class only. */
  readonly onError?: (error: unknown) => void;
}

export interface ListenOptions {
  /** Default 7070; 0 picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1: loopback only. Bind a public address only behind TLS. */
  readonly hostname?: string;
}

export interface ListeningWritServer {
  /** `http://host:port` */
  readonly url: string;
  readonly port: number;
  /** Ends live feeds, stops accepting connections and closes them. The store stays open. */
  close(): Promise<void>;
}

export interface WritServer {
  /** The Hono application (mount it elsewhere, or call app.request() in tests). */
  readonly app: WritApp;
  fetch(request: Request): Promise<Response>;
  listen(options?: ListenOptions): Promise<ListeningWritServer>;
  /** Stops the live hub and ends its feeds. The store stays open. */
  close(): Promise<void>;
}

/**
 * Creates a Writ server over a store: the HTTP API, token exchange and the
 * live feed. Resolves once the live state is loaded from the store.
 */
export async function createWritServer(options: WritServerOptions): Promise<WritServer> {
  if (!options?.store)
    throw new TypeError("createWritServer needs { store }: sqliteBackend() or postgresBackend().");
  if (typeof options.audience !== "string" || options.audience.length === 0) {
    throw new TypeError(
      "createWritServer needs an audience: this server's public URL or a stable URN.",
    );
  }
  if (options.credentials !== undefined && !(options.credentials instanceof CredentialBroker)) {
    throw new TypeError(
      "createWritServer's credentials must be a CredentialBroker from createCredentialBroker().",
    );
  }
  const clock = options.clock ?? systemClock;
  const maxBodyBytes = positive(options.maxBodyBytes, 1024 * 1024, "maxBodyBytes");
  const perCaller = new RateLimiter(options.rateLimit ?? { perSecond: 1000, burst: 2000 });
  const perAddress = new RateLimiter(options.addressRateLimit ?? { perSecond: 20, burst: 60 });
  const reportError =
    options.onError ??
    ((error: unknown) =>
      process.emitWarning(
        `The Writ server failed on a request (${error instanceof Error ? error.name : typeof error}).`,
        "WritServerWarning",
      ));

  const hub = new LiveHub({
    heartbeatMs: positive(options.live?.heartbeatMs, 500, "live.heartbeatMs"),
    replayBuffer: positive(options.live?.replayBuffer, 10_000, "live.replayBuffer"),
    clock,
  });
  const apiKeys = new ApiKeyVerifier({
    store: options.store,
    hub,
    clock,
    extra: options.apiKeys,
    onError: reportError,
  });
  const agentTokens = new AgentTokenVerifier({
    hub,
    audience: options.audience,
    clock,
    maxLifetime: positive(options.agentTokenLifetime, 300, "agentTokenLifetime"),
    clockSkew: options.clockSkew ?? 60,
  });
  const exchange =
    options.tokenExchange && options.tokenExchange.identityProviders.length > 0
      ? new TokenExchange(options.tokenExchange, options.store, agentTokens, clock)
      : undefined;
  const context: RouteContext = {
    store: options.store,
    hub,
    clock,
    audience: options.audience,
    agentTokens,
  };

  const app: WritApp = new OpenAPIHono<ServerEnv>({
    defaultHook: (result) => {
      if (!result.success) throw invalidRequest(result.target, result.error.issues);
    },
  });
  // Each request is a server span continuing the caller's trace (the remote backend sends it).
  app.use("*", (c, next) =>
    traceServerRequest({ method: c.req.method, headers: traceCarrier(c) }, async () => {
      await next();
      return { status: c.res.status, route: routePath(c, -1) };
    }),
  );
  app.use("*", boundedUtf8Bodies(maxBodyBytes));
  for (const path of [TOKEN_PATH, "/.well-known/*", "/openapi.json", "/healthz"]) {
    app.use(path, async (c, next) => {
      throttle(perAddress, addressOf(c), clock());
      await next();
    });
  }
  const consoleEnabled = options.console?.enabled !== false;
  const sessions = consoleEnabled
    ? new ConsoleSessions({
        store: options.store,
        hub,
        clock,
        ttlMs: positive(options.console?.sessionTtl, 28_800, "console.sessionTtl") * 1000,
      })
    : undefined;
  for (const path of ["/console", "/console/*", "/oauth/*"]) {
    app.use(path, async (c, next) => {
      throttle(perAddress, addressOf(c), clock());
      await next();
    });
  }
  app.use("/v1/*", authenticate({ apiKeys, agentTokens, perCaller, perAddress, clock, sessions }));

  registerDiscoveryRoutes(app, context);
  registerKeyRoutes(app, context);
  let oauthGrants: OAuthTokenGrants | undefined;
  registerTokenRoute(app, exchange, (form, dpopProof) => {
    if (!oauthGrants) {
      throw new WritError(
        "token.unsupported",
        "This server is not an OAuth authorization server (no oauth option).",
        { name: "grant_type" },
      );
    }
    return oauthGrants(form, dpopProof);
  });
  registerWritRoutes(app, context);
  registerRevocationRoutes(app, context);
  registerApiKeyRoutes(app, context);
  registerUserRoutes(app, context);
  registerRoleRoutes(app, context);
  registerAgentRoutes(app, context);
  registerTenantRoutes(app, context);
  registerApprovalRoutes(app, context);
  registerBudgetRoutes(app, context);
  registerLedgerRoutes(app, context);
  registerDelegationRoutes(app, context);
  registerPolicyRoutes(app, context);
  registerCallRoutes(app, context);
  const tail = new LedgerTail(options.store, clock);
  registerEventsRoute(app, context, tail);
  const signIns = sessions
    ? registerConsoleRoutes(app, {
        sessions,
        apiKeys,
        console: options.console ?? {},
        identityProviders: options.tokenExchange?.identityProviders ?? [],
        clock,
      })
    : [];
  if (options.oauth) {
    oauthGrants = registerOAuthRoutes(app, {
      oauth: options.oauth,
      store: options.store,
      providers: signIns,
      clock,
    });
  }
  if (options.credentials) {
    registerConnectionRoutes(app, context, options.credentials);
    registerCredentialTokenRoute(app, context, options.credentials);
  }
  registerLiveRoute(app, context, {
    maxConnectionsPerCaller: positive(
      options.live?.maxConnectionsPerCaller,
      64,
      "live.maxConnectionsPerCaller",
    ),
    maxQueuedEvents: positive(options.live?.maxQueuedEvents, 10_000, "live.maxQueuedEvents"),
  });

  app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description:
      "An API key: `Authorization: Bearer writ_<id>.<secret>`, scoped to a tenant (or an operator's, to all).",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "agentSignature", {
    type: "apiKey",
    in: "header",
    name: "Authorization",
    description:
      "`WritAgent <jwt>`: a writ-agent+jwt signed by a registered agent key, with aud, htm, htp and bh (body SHA-256) binding it to the request.",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Writ server",
      version: SERVER_VERSION,
      description:
        "Identity and delegated authority for AI agents: issue writs, exchange identity-provider tokens, revoke, approve, audit, and a live feed for remote guards.",
    },
  });

  app.notFound(() =>
    problemResponse(problem("request.not_found", "No such route; see /openapi.json.")),
  );
  app.onError((thrown, c) => {
    const error = bodyError(thrown);
    const details = problemOf(error);
    if (details.status >= 500 && !isWritError(error)) reportError(error);
    if (c.req.path === TOKEN_PATH || c.req.path.startsWith("/oauth/")) {
      const failure =
        isWritError(error) && error.code === details.code
          ? error
          : new WritError(details.code, details.detail);
      return problemResponse(details, {
        error: oauthError(failure),
        error_description: details.detail,
      });
    }
    return problemResponse(details);
  });

  await hub.start(options.store);

  return {
    app,
    fetch: (request) => Promise.resolve(app.fetch(request)),
    listen: (listenOptions = {}) => listen(app, hub, listenOptions, tail),
    close: async () => {
      tail.close();
      await hub.close();
    },
  };
}

function listen(
  app: WritApp,
  hub: LiveHub,
  options: ListenOptions,
  tail: LedgerTail,
): Promise<ListeningWritServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: app.fetch, port: options.port ?? 7070, hostname },
      (info: AddressInfo) => {
        const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
        resolve({
          url: `http://${host}:${info.port}`,
          port: info.port,
          close: async () => {
            tail.close();
            await hub.close();
            await new Promise<void>((done) => {
              server.close(() => done());
              if ("closeAllConnections" in server) server.closeAllConnections();
            });
          },
        });
      },
    );
    server.once("error", reject);
  });
}

/**
 * The headers a request's trace context is read from. On Node, the socket's
 * own (lower-case names, already parsed): copying every header out of the web
 * Request for each request showed in a busy server's CPU profile.
 */
function traceCarrier(c: Context): TracedRequest["headers"] {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming?.headers ?? c.req.header();
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`${name} must be a positive whole number, got ${String(value)}.`);
  }
  return value;
}
