import {
  type AllowDecision,
  type Call,
  continueTrace,
  type Guard,
  isWritError,
  runAllowed,
  usableActions,
} from "@writ/core";
import { recordGatewayLatency } from "@writ/core/backend";
import { newCallId } from "../shared/call-id.js";
import {
  decisionError,
  decisionResult,
  failureError,
  failureResult,
} from "../shared/decision-result.js";
import { isErrorResult } from "../shared/error-result.js";
import { type JsonRpcRequest, RPC_ERROR } from "../shared/json-rpc.js";
import { JsonRpcFailure } from "../shared/json-rpc-failure.js";
import { paramHeaderValues } from "../shared/mcp-headers.js";
import {
  LEGACY_VERSIONS,
  MCP_META,
  MODERN_VERSIONS,
  type ProtocolEra,
} from "../shared/mcp-protocol.js";
import { isRecord, type JsonObject, type ListedItem } from "../shared/mcp-types.js";
import { readMetaCredentials, WRIT_META } from "../shared/writ-meta.js";
import type { Caller, RequestCredentials } from "./caller-credentials.js";
import type { CallerSession } from "./caller-session.js";
import type { DownstreamTokens } from "./downstream-tokens.js";
import type { GatewayCatalog } from "./gateway-catalog.js";
import type { GatewayCredentials } from "./gateway-credentials.js";
import { GATEWAY_INFO } from "./gateway-info.js";
import { challengeFor, type HttpChallenge } from "./http-challenge.js";
import { InputContinuations } from "./input-continuations.js";
import { forCaller, type RequestRelay } from "./relay-request.js";
import type { ResponseStream } from "./response-stream.js";
import type { Upstream } from "./upstream.js";
import { UpstreamFailure } from "./upstream-connection.js";

/** A caller's request, authenticated, with what its protocol generation says about it. */
export interface IncomingRequest {
  readonly caller: Caller;
  readonly era: ProtocolEra;
  /** A legacy caller's MCP session. */
  readonly session: CallerSession | undefined;
  /** The client capabilities the caller declared (at initialize, or in this request's `_meta`). */
  readonly capabilities: JsonObject;
  /** A modern request's log level (`_meta`); none means no log messages. */
  readonly logLevel: string | undefined;
  /** The writ and invocation proof the request carries, for a guarded call. */
  readonly credentials: RequestCredentials;
  readonly stream: ResponseStream;
  /** Aborted when the caller cancels the request or hangs up. */
  readonly signal: AbortSignal;
}

/** The methods whose every request the guard decides before it is relayed. */
export const GUARDED_METHODS: ReadonlySet<string> = new Set([
  "tools/call",
  "prompts/get",
  "resources/read",
  "resources/subscribe",
]);

/** A request the guard decides: what it is for the guard, and where it goes. */
interface GuardedTarget {
  readonly upstream: Upstream;
  readonly action: string;
  /** The ledger's `tool`: the tool or prompt name, or the resource method. */
  readonly tool: string;
  readonly args: Record<string, unknown>;
  /** Refusals and failures as tool results (tools/call) rather than JSON-RPC errors. */
  readonly asToolResult: boolean;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A modern caller's subscriptions/listen stream. */
interface Listener {
  readonly id: string | number;
  readonly stream: ResponseStream;
  readonly kinds: ReadonlySet<string>;
}

/**
 * The MCP methods the gateway answers, for callers of either protocol
 * generation. Lists show each caller only what its writ could ever use. A
 * tools/call, prompts/get, resources/read or resources/subscribe is decided
 * by the guard (the decision recorded first), then relayed to the upstream
 * that serves it; a completion is relayed where the prompt or resource it
 * completes is usable. A refusal that belongs in HTTP (an invalid proof, a
 * writ without the action, a guard unable to decide) is returned as a
 * challenge for the caller to send; every other answer is written here.
 */
export class GatewayRequests {
  readonly #guard: Guard;
  readonly #catalog: GatewayCatalog;
  readonly #relay: RequestRelay;
  readonly #continuations: InputContinuations;
  readonly #tokens: DownstreamTokens;
  readonly #resource: string;
  readonly #audiences: ReadonlyMap<Upstream, string>;
  readonly #providers: ReadonlyMap<Upstream, string>;
  readonly #credentials: GatewayCredentials | undefined;
  readonly #listeners = new Set<Listener>();

  constructor(options: {
    readonly guard: Guard;
    readonly catalog: GatewayCatalog;
    readonly relay: RequestRelay;
    readonly continuations: InputContinuations;
    readonly tokens: DownstreamTokens;
    readonly resource: string;
    /** The `aud` of the tokens minted for each HTTP upstream. */
    readonly audiences: ReadonlyMap<Upstream, string>;
    /** HTTP upstreams whose calls carry the user's token for a provider instead. */
    readonly providers: ReadonlyMap<Upstream, string>;
    readonly credentials?: GatewayCredentials;
  }) {
    this.#guard = options.guard;
    this.#catalog = options.catalog;
    this.#relay = options.relay;
    this.#continuations = options.continuations;
    this.#tokens = options.tokens;
    this.#resource = options.resource;
    this.#audiences = options.audiences;
    this.#providers = options.providers;
    this.#credentials = options.credentials;
  }

  /** What the gateway offers callers: the union of its upstreams', plus logging of its own. */
  capabilities(): JsonObject {
    const catalog = this.#catalog;
    return {
      tools: { listChanged: true },
      ...(catalog.offers("prompts") ? { prompts: { listChanged: true } } : {}),
      ...(catalog.offers("resources")
        ? {
            resources: {
              listChanged: true,
              ...(catalog.offersFeature("resources", "subscribe") ? { subscribe: true } : {}),
            },
          }
        : {}),
      ...(catalog.offers("completions") ? { completions: {} } : {}),
      logging: {},
    };
  }

  /** The answer to a legacy initialize, for a session opened with `version` asked. */
  initialized(version: unknown): Record<string, unknown> {
    return {
      protocolVersion: (LEGACY_VERSIONS as readonly unknown[]).includes(version)
        ? version
        : LEGACY_VERSIONS[0],
      capabilities: this.capabilities(),
      serverInfo: GATEWAY_INFO,
    };
  }

  /**
   * Answers one request. Returns the challenge to send instead when the
   * refusal belongs in HTTP; otherwise the answer has been written. A trace
   * the request's `_meta` carries (`traceparent`, as the MCP specification
   * reserves it) is continued: the guard's spans are children of the caller's.
   */
  answer(message: JsonRpcRequest, request: IncomingRequest): Promise<HttpChallenge | undefined> {
    const meta = message.params?._meta;
    return continueTrace(isRecord(meta) ? meta : undefined, () => this.#answer(message, request));
  }

  async #answer(
    message: JsonRpcRequest,
    request: IncomingRequest,
  ): Promise<HttpChallenge | undefined> {
    const params = message.params ?? {};
    const { stream, era } = request;
    const reply = (result: Record<string, unknown>) =>
      stream.result(message.id, forCaller(result, era));
    switch (message.method) {
      case "ping":
        reply({});
        return undefined;
      case "server/discover":
        reply({
          supportedVersions: [...MODERN_VERSIONS, ...LEGACY_VERSIONS],
          capabilities: this.capabilities(),
          ttlMs: 0,
          cacheScope: "private",
        });
        return undefined;
      case "logging/setLevel":
        if (request.session === undefined) break;
        if (!request.session.setLogLevel(String(params.level))) {
          stream.error(message.id, {
            code: RPC_ERROR.invalidParams,
            message: "Invalid params: unknown log level.",
          });
        } else reply({});
        return undefined;
      case "tools/list":
      case "prompts/list":
      case "resources/list":
      case "resources/templates/list":
        reply(this.#list(message.method, request));
        return undefined;
      case "tools/call":
        return this.#toolCall(message, request);
      case "prompts/get":
        return this.#promptGet(message, request);
      case "resources/read":
      case "resources/subscribe":
        return this.#resourceRequest(message, request);
      case "resources/unsubscribe":
        await this.#unsubscribe(message, request);
        return undefined;
      case "completion/complete":
        await this.#complete(message, request);
        return undefined;
      case "subscriptions/listen":
        if (era !== "modern") break;
        this.#listen(message, request);
        return undefined;
    }
    stream.error(message.id, { code: RPC_ERROR.methodNotFound, message: "Method not found" });
    return undefined;
  }

  /** Tells every caller that listens for it that a list changed. */
  listChanged(kind: "tools" | "prompts" | "resources", sessions: Iterable<CallerSession>): void {
    const method = `notifications/${kind}/list_changed`;
    for (const session of sessions) session.push({ jsonrpc: "2.0", method });
    for (const listener of this.#listeners) {
      if (listener.stream.closed) {
        this.#listeners.delete(listener);
        continue;
      }
      if (listener.kinds.has(kind)) {
        listener.stream.send({
          jsonrpc: "2.0",
          method,
          params: { _meta: { [MCP_META.subscriptionId]: listener.id } },
        });
      }
    }
  }

  /** Ends every subscriptions/listen stream (the gateway closes). */
  close(): void {
    for (const listener of this.#listeners) {
      listener.stream.result(
        listener.id,
        forCaller({ _meta: { [MCP_META.subscriptionId]: listener.id } }, "modern"),
      );
    }
    this.#listeners.clear();
    this.#continuations.close();
  }

  #list(method: string, request: IncomingRequest): Record<string, unknown> {
    const usable = usableActions(this.#guard, request.caller.writ);
    const announced = <T extends ListedItem>(item: T, action: string): T => ({
      ...item,
      _meta: { ...item._meta, [WRIT_META.action]: action },
    });
    const catalog = this.#catalog;
    const listed = ((): Record<string, unknown> => {
      switch (method) {
        case "tools/list":
          return {
            tools: [...catalog.tools()]
              .filter(({ action }) => usable(action))
              .map(({ tool, action }) => announced(tool, action)),
          };
        case "prompts/list":
          return {
            prompts: [...catalog.prompts()]
              .filter(({ action }) => usable(action))
              .map(({ prompt, action }) => announced(prompt, action)),
          };
        case "resources/list":
          return {
            resources: [...catalog.resources()]
              .filter(({ home }) => usable(home.action))
              .map(({ resource, home }) => announced(resource, home.action)),
          };
        default:
          return {
            resourceTemplates: catalog
              .templates()
              .filter(({ home }) => usable(home.action))
              .map(({ template, home }) => announced(template, home.action)),
          };
      }
    })();
    // Each caller sees its own filtered list: never to be shared between callers by a cache.
    return request.era === "modern" ? { ...listed, ttlMs: 0, cacheScope: "private" } : listed;
  }

  async #toolCall(
    message: JsonRpcRequest,
    request: IncomingRequest,
  ): Promise<HttpChallenge | undefined> {
    const params = message.params ?? {};
    const name = params.name;
    const entry = typeof name === "string" ? this.#catalog.tool(name) : undefined;
    if (entry === undefined || typeof name !== "string") {
      request.stream.result(
        message.id,
        forCaller(failureResult(`Tool ${String(name)} not found.`, "tool.unknown"), request.era),
      );
      return undefined;
    }
    const args = params.arguments ?? {};
    if (!isRecord(args)) {
      request.stream.error(message.id, {
        code: RPC_ERROR.invalidParams,
        message: "Invalid params: the arguments of tools/call must be an object.",
      });
      return undefined;
    }
    const problem = entry.argumentSchema?.problem(args);
    if (problem !== undefined) {
      // Refused before the guard, like a call to a tool that is not served:
      // the arguments are not a call this tool can receive. A tool error, so
      // the model can correct them (MCP reports input validation this way).
      request.stream.result(
        message.id,
        forCaller(
          failureResult(`Invalid arguments for tool ${name}: ${problem}.`, "request.invalid"),
          request.era,
        ),
      );
      return undefined;
    }
    return this.#guarded(message, request, {
      upstream: entry.upstream,
      action: entry.action,
      tool: name,
      args,
      asToolResult: true,
      headers: paramHeaderValues(entry.paramHeaders, args),
    });
  }

  async #promptGet(
    message: JsonRpcRequest,
    request: IncomingRequest,
  ): Promise<HttpChallenge | undefined> {
    const params = message.params ?? {};
    const entry = typeof params.name === "string" ? this.#catalog.prompt(params.name) : undefined;
    const args = params.arguments ?? {};
    if (entry === undefined || !isRecord(args)) {
      request.stream.error(message.id, {
        code: RPC_ERROR.invalidParams,
        message:
          entry === undefined
            ? `Prompt ${String(params.name)} not found.`
            : "Invalid params: prompt arguments must be an object.",
      });
      return undefined;
    }
    return this.#guarded(message, request, {
      upstream: entry.upstream,
      action: entry.action,
      tool: String(params.name),
      args,
      asToolResult: false,
    });
  }

  async #resourceRequest(
    message: JsonRpcRequest,
    request: IncomingRequest,
  ): Promise<HttpChallenge | undefined> {
    const uri = message.params?.uri;
    const home = typeof uri === "string" ? this.#catalog.resourceHome(uri) : undefined;
    if (home === undefined || typeof uri !== "string") {
      request.stream.error(message.id, {
        code: RPC_ERROR.invalidParams,
        message: `Resource ${String(uri)} not found.`,
      });
      return undefined;
    }
    if (message.method === "resources/subscribe") {
      if (request.session === undefined || home.upstream.status().era === "modern") {
        request.stream.error(message.id, {
          code: RPC_ERROR.methodNotFound,
          message:
            "resources/subscribe is not available here: subscribe with subscriptions/listen (MCP 2026-07-28), which the gateway honours for list changes.",
        });
        return undefined;
      }
    }
    return this.#guarded(message, request, {
      upstream: home.upstream,
      action: home.action,
      tool: message.method,
      args: { uri },
      asToolResult: false,
    });
  }

  async #guarded(
    message: JsonRpcRequest,
    request: IncomingRequest,
    target: GuardedTarget,
  ): Promise<HttpChallenge | undefined> {
    const started = performance.now();
    const { stream, era } = request;
    const params = message.params ?? {};
    const { approvalId } = readMetaCredentials(params._meta);
    // A writ from an access token is used with a proof the gateway signs, bound to this request.
    const signed = request.caller.prove?.({
      action: target.action,
      tool: target.tool,
      args: target.args,
    });
    const call: Call = {
      action: target.action,
      tool: target.tool,
      args: target.args,
      callId: newCallId(),
      writ: request.caller.writ,
      proof: signed ?? request.credentials.proof ?? "",
      adapter: "mcp-gateway",
      // A proof in the DPoP header (or signed here) is bound to the HTTP request too; one in `_meta`, to the message alone.
      ...(signed !== undefined || request.credentials.proofInHeader
        ? { http: { method: "POST", url: this.#resource } }
        : {}),
      ...(approvalId === undefined ? {} : { approvalId }),
    };
    const decision = await this.#guard.authorize(call);
    const continuation = InputContinuations.names(params.requestState)
      ? this.#continuations.take(params.requestState)
      : undefined;
    if (decision.effect !== "allow") {
      continuation?.cancel();
      const challenge =
        decision.effect === "deny" ? challengeFor(decision.code, call.action) : undefined;
      if (challenge) return challenge;
      if (target.asToolResult) stream.result(message.id, forCaller(decisionResult(decision), era));
      else stream.error(message.id, decisionError(decision));
      return undefined;
    }
    const caller = {
      era,
      principal: request.caller.principal,
      session: request.session,
      capabilities: request.capabilities,
      logLevel: request.logLevel ?? (request.session ? "debug" : undefined),
      wantsLog: (level: unknown) =>
        request.session ? request.session.wantsLog(level) : request.logLevel !== undefined,
      stream,
      signal: request.signal,
    };
    let upstreamMs = 0;
    const timedUpstream = async <T>(wait: Promise<T>): Promise<T> => {
      const sent = performance.now();
      try {
        return await wait;
      } finally {
        upstreamMs += performance.now() - sent;
      }
    };
    try {
      await runAllowed(
        this.#guard,
        decision,
        call,
        async () => {
          if (continuation) return timedUpstream(this.#relay.resume(continuation, params, caller));
          const authorization = await this.#authorizationFor(target.upstream, decision);
          const result = await timedUpstream(
            this.#relay.send(
              {
                upstream: target.upstream,
                method: message.method,
                params,
                what: `"${target.tool}"`,
                ...(authorization === undefined ? {} : { authorization }),
                ...(target.headers === undefined ? {} : { headers: target.headers }),
              },
              caller,
            ),
          );
          if (message.method === "resources/subscribe" && request.session) {
            request.session.subscriptions.set(String(target.args.uri), target.upstream);
          }
          return result;
        },
        {
          ...(target.asToolResult ? { failed: isErrorResult } : {}),
          deliver: (result) => {
            stream.result(message.id, result);
            recordGatewayLatency((performance.now() - started - upstreamMs) / 1000, message.method);
          },
        },
      );
    } catch (error) {
      this.#failed(message, request, error, target.asToolResult);
    }
    return undefined;
  }

  /** The answer to a request the upstream could not complete. */
  #failed(
    message: JsonRpcRequest,
    request: IncomingRequest,
    error: unknown,
    asToolResult: boolean,
  ): void {
    const { stream, era } = request;
    if (error instanceof JsonRpcFailure) stream.error(message.id, error.body());
    else if (isWritError(error)) {
      if (asToolResult)
        stream.result(message.id, forCaller(failureResult(error.message, error.code), era));
      else stream.error(message.id, failureError(error.message, error.code));
    } else if (!(error instanceof UpstreamFailure && error.kind === "aborted")) {
      stream.error(message.id, { code: RPC_ERROR.internal, message: "Internal error." });
    }
  }

  async #unsubscribe(message: JsonRpcRequest, request: IncomingRequest): Promise<void> {
    const uri = String(message.params?.uri);
    const upstream = request.session?.subscriptions.get(uri);
    if (request.session === undefined || upstream === undefined) {
      request.stream.result(message.id, forCaller({}, request.era));
      return;
    }
    request.session.subscriptions.delete(uri);
    await this.#relayUnguarded(message, request, upstream);
  }

  /** A completion, where the caller could use the prompt or resource it completes. */
  async #complete(message: JsonRpcRequest, request: IncomingRequest): Promise<void> {
    const ref = message.params?.ref;
    const usable = usableActions(this.#guard, request.caller.writ);
    const home = !isRecord(ref)
      ? undefined
      : ref.type === "ref/prompt" && typeof ref.name === "string"
        ? this.#catalog.prompt(ref.name)
        : ref.type === "ref/resource" && typeof ref.uri === "string"
          ? (this.#catalog.templateHome(ref.uri) ?? this.#catalog.resourceHome(ref.uri))
          : undefined;
    if (home === undefined || !usable(home.action)) {
      request.stream.error(message.id, {
        code: RPC_ERROR.invalidParams,
        message: "Invalid params: no prompt or resource of that name is available to complete.",
      });
      return;
    }
    await this.#relayUnguarded(message, request, home.upstream);
  }

  /** Relays a request the guard does not decide (it performs no action of its own). */
  async #relayUnguarded(
    message: JsonRpcRequest,
    request: IncomingRequest,
    upstream: Upstream,
  ): Promise<void> {
    try {
      const result = await this.#relay.send(
        { upstream, method: message.method, params: message.params ?? {}, what: message.method },
        {
          era: request.era,
          principal: request.caller.principal,
          session: request.session,
          capabilities: request.capabilities,
          logLevel: undefined,
          wantsLog: () => false,
          stream: request.stream,
          signal: request.signal,
        },
      );
      request.stream.result(message.id, result);
    } catch (error) {
      this.#failed(message, request, error, false);
    }
  }

  /** A modern caller's stream of list changes: acknowledged with what the gateway honours. */
  #listen(message: JsonRpcRequest, request: IncomingRequest): void {
    const asked = isRecord(message.params?.notifications) ? message.params.notifications : {};
    const kinds = new Set(
      (["tools", "prompts", "resources"] as const).filter(
        (kind) =>
          asked[`${kind}ListChanged`] === true && (kind === "tools" || this.#catalog.offers(kind)),
      ),
    );
    const listener: Listener = { id: message.id, stream: request.stream, kinds };
    this.#listeners.add(listener);
    request.stream.onHangUp(() => this.#listeners.delete(listener));
    request.stream.send({
      jsonrpc: "2.0",
      method: "notifications/subscriptions/acknowledged",
      params: {
        notifications: Object.fromEntries([...kinds].map((kind) => [`${kind}ListChanged`, true])),
        _meta: { [MCP_META.subscriptionId]: message.id },
      },
    });
  }

  /**
   * What an HTTP upstream sees as the caller: the user's own provider token
   * when it calls a third-party API as the user (asked of the broker inside
   * the allowed call, scoped to its action), otherwise a token minted for this
   * call. Never the writ.
   */
  async #authorizationFor(
    upstream: Upstream,
    decision: AllowDecision,
  ): Promise<string | undefined> {
    const provider = this.#providers.get(upstream);
    if (provider !== undefined && this.#credentials !== undefined) {
      return (await this.#credentials.getAccessToken(decision, provider)).authorization;
    }
    const audience = this.#audiences.get(upstream);
    if (audience === undefined) return undefined;
    return `Bearer ${this.#tokens.forCall(audience, {
      user: decision.user ?? "",
      chain: decision.chain ?? [],
      action: decision.action,
      callId: decision.callId,
      ...(decision.tenant === undefined ? {} : { tenant: decision.tenant }),
    })}`;
  }
}
