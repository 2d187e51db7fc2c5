import {
  type Guard,
  isAction,
  KeyPair,
  type ToolActionResolver,
  type ToolActions,
  toolActionResolver,
} from "@writ/core";
import type { GatewayCredentials } from "./gateway-credentials.js";
import type { GatewayEvent } from "./gateway-event.js";
import type { AuthorizationServerTrust } from "./oauth-access-token.js";
import type { StdioLaunch } from "./stdio-upstream-connection.js";

const UPSTREAM_NAME = /^[A-Za-z0-9_-]+$/;

/** An MCP server the gateway starts itself and talks to over stdio. */
export interface StdioUpstreamConfig {
  /** The program to run. It comes from this configuration only; nothing in a request can change it. */
  readonly command: string;
  readonly args?: readonly string[];
  /** Variables for the server, on top of a minimal set (PATH, HOME, USER …): the gateway's own environment is not passed on. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /**
   * The server's stderr. Its last lines are always kept (the `upstream.down`
   * event and `gateway.status()` carry them); `inherit` (default) also passes
   * each line to the gateway's stderr, prefixed with the upstream's name.
   */
  readonly stderr?: "inherit" | "ignore";
  /**
   * Start one process per caller MCP session instead of one shared by all
   * callers. A legacy (2025-11-25) server then learns each caller's client
   * capabilities, and what it asks or says outside a request (sampling,
   * elicitation, roots, log messages) reaches that caller; a shared process is
   * offered no client capabilities, since those could not be told apart.
   * Default false. Bounded by the session limits.
   */
  readonly perSession?: boolean;
  /** Tool → action: a table or a function. Default: `<upstream name>.<tool>`, `/` read as `.`. */
  readonly actions?: ToolActions;
  /** Prompt → action: a table or a function. Default: `<upstream name>.prompts.<prompt>`. */
  readonly prompts?: ToolActions;
  /** The action reading and subscribing to its resources performs, with `{ uri }` as arguments. Default `<upstream name>.resources.read`. */
  readonly resourceAction?: string;
  /**
   * Check each tool call's arguments against the tool's published
   * `inputSchema` before the guard decides, and refuse those it rejects (a
   * tool error naming the argument and the schema keyword, code
   * `request.invalid`). The guard judges the arguments as sent and the server
   * parses them afterwards: with this on, it only ever receives arguments its
   * own schema accepts. A tool whose schema cannot be checked is not served.
   * Default false.
   */
  readonly validateArguments?: boolean;
}

/** An MCP server reached over Streamable HTTP. It receives a token minted per call, never the caller's writ. */
export interface HttpUpstreamConfig {
  readonly url: string;
  /** The `aud` of the tokens minted for it. Default: its URL. */
  readonly audience?: string;
  /** Tool → action: a table or a function. Default: `<upstream name>.<tool>`, `/` read as `.`. */
  readonly actions?: ToolActions;
  /** Prompt → action: a table or a function. Default: `<upstream name>.prompts.<prompt>`. */
  readonly prompts?: ToolActions;
  /** The action reading and subscribing to its resources performs, with `{ uri }` as arguments. Default `<upstream name>.resources.read`. */
  readonly resourceAction?: string;
  /**
   * Send the user's own token for this provider (from `credentials`) on its
   * tool calls instead of a minted Writ token: for servers that call a
   * third-party API as the user. Needs `credentials`.
   */
  readonly providerToken?: { readonly provider: string };
  /**
   * Check each tool call's arguments against the tool's published
   * `inputSchema` before the guard decides, and refuse those it rejects (a
   * tool error naming the argument and the schema keyword, code
   * `request.invalid`). The guard judges the arguments as sent and the server
   * parses them afterwards: with this on, it only ever receives arguments its
   * own schema accepts. A tool whose schema cannot be checked is not served.
   * Default false.
   */
  readonly validateArguments?: boolean;
}

export type UpstreamConfig = StdioUpstreamConfig | HttpUpstreamConfig;

export interface GatewayOptions {
  /**
   * Decides every call. Its audience is the gateway's public MCP URL (e.g.
   * `https://mcp.example.com/mcp`): proofs are addressed and bound (`htu`) to
   * it, and it is the `resource` of the protected resource metadata.
   */
  readonly guard: Guard;
  /** The servers behind the gateway, by name. A name is one action segment: it prefixes default actions. */
  readonly upstreams: Readonly<Record<string, UpstreamConfig>>;
  /** Signs the tokens minted for HTTP upstreams. Default: a key generated at start (tokens are short-lived). */
  readonly signingKey?: KeyPair;
  /** Lifetime of minted tokens in seconds, at most 60. Default 60. */
  readonly tokenTtl?: number;
  /** `iss` of minted tokens. Default: the gateway's origin. */
  readonly issuer?: string;
  /** The gateway's own id: `client_id` of every minted token, `sub` of those for its own requests. Default `writ-mcp-gateway`. */
  readonly clientId?: string;
  /** Listed in the protected resource metadata: where callers obtain writs. */
  readonly authorizationServers?: readonly string[];
  /**
   * The Writ server as this gateway's OAuth authorization server, for stock
   * MCP clients (`Authorization: Bearer <access token>`): its issuer URL
   * (listed in the protected resource metadata) and its issuer keys. Its
   * access tokens refer to writs bound to `signingKey`, so give the gateway a
   * stable `signingKey` and register its public key with the server
   * (`oauth.resources`). Default: access tokens are refused.
   */
  readonly authorizationServer?: AuthorizationServerTrust;
  /** Host headers accepted (DNS rebinding protection). Default: the host of the guard's audience. */
  readonly allowedHosts?: readonly string[];
  /** Origin headers accepted when one is sent. Default: the origin of the guard's audience. */
  readonly allowedOrigins?: readonly string[];
  /** How long a tool call may run without progress, in ms. Default 60,000. */
  readonly callTimeoutMs?: number;
  /** Connecting to an upstream and listing its tools, in ms. Default 15,000. */
  readonly connectTimeoutMs?: number;
  /** The ping that tells a slow upstream from a hung one, in ms. Default 5,000. */
  readonly pingTimeoutMs?: number;
  /** Reconnection delays after an upstream fails: doubling from `initialMs` up to `maxMs`. Default 500 / 30,000. */
  readonly restartBackoff?: { readonly initialMs?: number; readonly maxMs?: number };
  /** MCP sessions unused this long are closed, in ms. Default 10 minutes. */
  readonly sessionIdleMs?: number;
  /** Most MCP sessions open at once, in all. Default 4096. */
  readonly maxSessions?: number;
  /** Most MCP sessions one principal (tenant, user, leaf agent) holds open. Default 32. */
  readonly maxSessionsPerPrincipal?: number;
  /** Largest request body accepted, in bytes. Default 4 MiB. */
  readonly maxBodyBytes?: number;
  /** Told about upstream restarts and configuration problems. Default: a process warning for each upstream failure. */
  readonly onEvent?: (event: GatewayEvent) => void;
  /** The credential broker that supplies users' provider tokens to upstreams with `providerToken`. */
  readonly credentials?: GatewayCredentials;
}

/** The options, checked and copied: what the gateway runs on. */
export interface GatewaySettings {
  readonly guard: Guard;
  readonly resource: string;
  readonly upstreams: readonly {
    readonly name: string;
    readonly spec:
      | {
          readonly kind: "stdio";
          readonly launch: StdioLaunch;
          readonly stderr: "inherit" | "ignore";
          readonly perSession: boolean;
        }
      | { readonly kind: "http"; readonly url: URL };
    /** Its tools' actions; a tool with none is left out. */
    readonly actions: ToolActionResolver;
    /** Its prompts' actions; a prompt with none is left out. */
    readonly prompts: ToolActionResolver;
    readonly resourceAction: string;
    readonly validateArguments: boolean;
    readonly audience?: string;
    /** The provider whose user token its tool calls carry. */
    readonly provider?: string;
  }[];
  readonly credentials?: GatewayCredentials;
  readonly signingKey: KeyPair;
  readonly tokenTtl: number;
  readonly issuer: string;
  readonly clientId: string;
  readonly authorizationServers?: readonly string[];
  readonly authorizationServer?: AuthorizationServerTrust;
  readonly allowedHosts: readonly string[];
  readonly allowedOrigins: readonly string[];
  readonly timeouts: {
    readonly connectMs: number;
    readonly callMs: number;
    readonly pingMs: number;
  };
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  readonly sessions: {
    readonly idleMs: number;
    readonly max: number;
    readonly maxPerPrincipal: number;
  };
  readonly maxBodyBytes: number;
  readonly onEvent: (event: GatewayEvent) => void;
}

/** Checks the options once and copies what is kept, so later changes to the object cannot reach a spawn. */
export function checkGatewayOptions(options: GatewayOptions): GatewaySettings {
  if (options === null || typeof options !== "object") {
    throw new TypeError("createGateway needs options: { guard, upstreams }.");
  }
  refuseUnknown(options, GATEWAY_KEYS, "createGateway");
  const { guard } = options;
  if (!guard || typeof guard.authorize !== "function" || typeof guard.checkWrit !== "function") {
    throw new TypeError("createGateway needs { guard }: a Guard from createGuard().");
  }
  const resource = guard.audience;
  if (!URL.canParse(resource) || !/^https?:$/.test(new URL(resource).protocol)) {
    throw new TypeError(
      `createGateway: the guard's audience must be the gateway's public MCP URL (e.g. "http://127.0.0.1:8787/mcp"), got ${JSON.stringify(resource)}.`,
    );
  }
  const resourceUrl = new URL(resource);
  if (resourceUrl.search !== "" || resourceUrl.hash !== "") {
    throw new TypeError("createGateway: the gateway URL must have no query or fragment.");
  }
  const entries = Object.entries(options.upstreams ?? {});
  if (entries.length === 0) throw new TypeError("createGateway needs at least one upstream.");
  const upstreams = entries.map(([name, config]) =>
    checkUpstream(name, config, options.credentials),
  );
  const tokenTtl = options.tokenTtl ?? 60;
  if (!Number.isInteger(tokenTtl) || tokenTtl < 1 || tokenTtl > 60) {
    throw new TypeError("createGateway: tokenTtl is a whole number of seconds from 1 to 60.");
  }
  const backoff = {
    initialMs: positive(options.restartBackoff?.initialMs ?? 500, "restartBackoff.initialMs"),
    maxMs: positive(options.restartBackoff?.maxMs ?? 30_000, "restartBackoff.maxMs"),
  };
  return {
    guard,
    resource,
    upstreams,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    signingKey: options.signingKey ?? KeyPair.generate(),
    tokenTtl,
    issuer: options.issuer ?? resourceUrl.origin,
    clientId: options.clientId ?? "writ-mcp-gateway",
    ...(options.authorizationServers || options.authorizationServer
      ? {
          authorizationServers: [
            ...new Set([
              ...(options.authorizationServer ? [options.authorizationServer.issuer] : []),
              ...(options.authorizationServers ?? []),
            ]),
          ],
        }
      : {}),
    ...(options.authorizationServer
      ? { authorizationServer: checkAuthorizationServer(options.authorizationServer) }
      : {}),
    allowedHosts: [...(options.allowedHosts ?? [resourceUrl.host])],
    allowedOrigins: [...(options.allowedOrigins ?? [resourceUrl.origin])],
    timeouts: {
      connectMs: positive(options.connectTimeoutMs ?? 15_000, "connectTimeoutMs"),
      callMs: positive(options.callTimeoutMs ?? 60_000, "callTimeoutMs"),
      pingMs: positive(options.pingTimeoutMs ?? 5_000, "pingTimeoutMs"),
    },
    backoff,
    sessions: {
      idleMs: positive(options.sessionIdleMs ?? 10 * 60_000, "sessionIdleMs"),
      max: wholePositive(options.maxSessions ?? 4096, "maxSessions"),
      maxPerPrincipal: wholePositive(
        options.maxSessionsPerPrincipal ?? 32,
        "maxSessionsPerPrincipal",
      ),
    },
    maxBodyBytes: positive(options.maxBodyBytes ?? 4 * 1024 * 1024, "maxBodyBytes"),
    onEvent:
      options.onEvent ??
      ((event) => {
        if (event.type === "upstream.down" || event.type === "upstream.hung") {
          process.emitWarning(
            `MCP upstream "${event.upstream}" ${event.type === "upstream.hung" ? "stopped answering" : `is down (${event.reason}); retrying in ${event.retryInMs} ms`}.`,
            "WritGatewayWarning",
          );
        }
      }),
  };
}

function checkUpstream(
  name: string,
  config: UpstreamConfig,
  credentials: GatewayCredentials | undefined,
): GatewaySettings["upstreams"][number] {
  const where = `createGateway: upstream "${name}"`;
  if (!UPSTREAM_NAME.test(name)) {
    throw new TypeError(`${where}: a name is letters, digits, "_" and "-" (it prefixes actions).`);
  }
  if (config === null || typeof config !== "object")
    throw new TypeError(`${where} needs a configuration.`);
  if (!("url" in config) && "providerToken" in config) {
    throw new TypeError(
      `${where}: providerToken is for HTTP upstreams; a stdio process cannot carry a user's token per call.`,
    );
  }
  refuseUnknown(config, "url" in config ? HTTP_UPSTREAM_KEYS : STDIO_UPSTREAM_KEYS, where);
  const resourceAction = config.resourceAction ?? `${name}.resources.read`;
  if (!isAction(resourceAction)) {
    throw new TypeError(`${where}: resourceAction must be an action like "files.read".`);
  }
  if (config.validateArguments !== undefined && typeof config.validateArguments !== "boolean") {
    throw new TypeError(`${where}: validateArguments is true or false.`);
  }
  const actions = {
    validateArguments: config.validateArguments === true,
    actions: toolActionResolver(config.actions, { where, prefix: `${name}.` }),
    prompts: toolActionResolver(config.prompts, {
      where: `${where} (prompts)`,
      prefix: `${name}.prompts.`,
    }),
    resourceAction,
  };
  if ("url" in config) {
    if (!URL.canParse(config.url) || !/^https?:$/.test(new URL(config.url).protocol)) {
      throw new TypeError(`${where}: url must be an http(s) URL.`);
    }
    const url = new URL(config.url);
    const provider = config.providerToken?.provider;
    if (provider !== undefined && !credentials?.providers.includes(provider)) {
      throw new TypeError(
        `${where}: providerToken names "${provider}", which needs createGateway({ credentials }) with a broker that knows that provider.`,
      );
    }
    return {
      name,
      spec: { kind: "http", url },
      audience: config.audience ?? `${url.origin}${url.pathname}`,
      ...actions,
      ...(provider === undefined ? {} : { provider }),
    };
  }
  if (typeof config.command !== "string" || config.command.length === 0) {
    throw new TypeError(`${where} needs a command (stdio) or a url (Streamable HTTP).`);
  }
  const args = config.args ?? [];
  if (!Array.isArray(args) || !args.every((arg) => typeof arg === "string")) {
    throw new TypeError(`${where}: args must be strings.`);
  }
  const env = config.env;
  if (env !== undefined && !Object.values(env).every((value) => typeof value === "string")) {
    throw new TypeError(`${where}: env values must be strings.`);
  }
  const stderr = config.stderr ?? "inherit";
  if (stderr !== "inherit" && stderr !== "ignore") {
    throw new TypeError(`${where}: stderr is "inherit" or "ignore".`);
  }
  if (config.perSession !== undefined && typeof config.perSession !== "boolean") {
    throw new TypeError(`${where}: perSession is true or false.`);
  }
  return {
    name,
    spec: {
      kind: "stdio",
      launch: {
        command: config.command,
        args: [...args],
        ...(env === undefined ? {} : { env: { ...env } }),
        ...(config.cwd === undefined ? {} : { cwd: config.cwd }),
      },
      stderr,
      perSession: config.perSession === true,
    },
    ...actions,
  };
}

const GATEWAY_KEYS = [
  "guard",
  "upstreams",
  "signingKey",
  "tokenTtl",
  "issuer",
  "clientId",
  "authorizationServers",
  "authorizationServer",
  "allowedHosts",
  "allowedOrigins",
  "callTimeoutMs",
  "connectTimeoutMs",
  "pingTimeoutMs",
  "restartBackoff",
  "sessionIdleMs",
  "maxSessions",
  "maxSessionsPerPrincipal",
  "maxBodyBytes",
  "onEvent",
  "credentials",
] as const satisfies readonly (keyof GatewayOptions)[];

const STDIO_UPSTREAM_KEYS = [
  "command",
  "args",
  "env",
  "cwd",
  "stderr",
  "perSession",
  "actions",
  "prompts",
  "resourceAction",
  "validateArguments",
] as const satisfies readonly (keyof StdioUpstreamConfig)[];

const HTTP_UPSTREAM_KEYS = [
  "url",
  "audience",
  "actions",
  "prompts",
  "resourceAction",
  "providerToken",
  "validateArguments",
] as const satisfies readonly (keyof HttpUpstreamConfig)[];

/** A misspelt option is an error naming it, never an option silently left at its default. */
function refuseUnknown(object: object, known: readonly string[], where: string): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) {
      throw new TypeError(`${where}: unknown option "${key}". Known: ${known.join(", ")}.`);
    }
  }
}

function wholePositive(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`createGateway: ${name} must be a positive whole number.`);
  }
  return value;
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new TypeError(`createGateway: ${name} must be a positive number.`);
  }
  return value;
}

function checkAuthorizationServer(trust: AuthorizationServerTrust): AuthorizationServerTrust {
  if (
    typeof trust?.issuer !== "string" ||
    !URL.canParse(trust.issuer) ||
    typeof trust.keys?.publicKey !== "function"
  ) {
    throw new TypeError(
      "createGateway: authorizationServer is { issuer: the Writ server's URL, keys: its issuer keys (fetchIssuerKeys() or store.issuerKeys()) }.",
    );
  }
  return trust;
}
