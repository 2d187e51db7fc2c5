import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type AllowDecision, type Call, type Guard, isWritError, runAllowed } from "@writ/core";
import { decisionResult, failureResult } from "../shared/decision-result.js";
import { isErrorResult } from "../shared/error-result.js";
import { proofFromDpopHeader } from "../shared/http-carriage.js";
import { JsonRpcFailure } from "../shared/json-rpc-failure.js";
import type { CallToolResult, SessionEndpoint } from "../shared/mcp-sdk.js";
import { readMetaCredentials, withoutWritMeta } from "../shared/writ-meta.js";
import type { DownstreamTokens } from "./downstream-tokens.js";
import type { GatewayCredentials } from "./gateway-credentials.js";
import { challengeFor, type HttpChallenge } from "./http-challenge.js";
import type { RelayAnswer } from "./post-tool-call.js";
import { ToolCallResponse } from "./tool-call-response.js";
import type { CatalogEntry, ToolCatalog } from "./tool-catalog.js";
import type { Upstream, UpstreamCallOptions } from "./upstream.js";

/** A tools/call request as it arrived in a POST body. */
export interface ToolCallMessage {
  readonly id: string | number;
  readonly params: {
    readonly name?: unknown;
    readonly arguments?: unknown;
    readonly _meta?: unknown;
  };
}

/**
 * The gateway's tools/call, answered at the HTTP layer: the guard decides
 * before any byte of the answer is written, so a writ or proof the guard
 * refuses is an HTTP 401 and a missing action a 403 `insufficient_scope`;
 * other refusals are `isError` results. An allowed call is forwarded (with a
 * minted token in place of the writ for HTTP upstreams), its outcome recorded,
 * and its progress relayed. From an HTTP upstream, the log messages and the
 * requests (sampling, elicitation) it sends during the call reach the caller
 * too, on the call's own stream. Calls in flight can be cancelled by the caller.
 */
export class GatewayToolCalls {
  readonly #guard: Guard;
  readonly #catalog: ToolCatalog;
  readonly #tokens: DownstreamTokens;
  readonly #resource: string;
  /** The `aud` of the tokens minted for each HTTP upstream. */
  readonly #audiences: ReadonlyMap<Upstream, string>;
  /** HTTP upstreams whose tool calls carry the user's token for a provider instead. */
  readonly #providers: ReadonlyMap<Upstream, string>;
  readonly #credentials: GatewayCredentials | undefined;
  readonly #inFlight = new Map<string, AbortController>();
  /** Requests relayed to callers, waiting for their answers, by session and relay id. */
  readonly #relays = new Map<string, (answer: RelayAnswer) => void>();

  constructor(options: {
    readonly guard: Guard;
    readonly catalog: ToolCatalog;
    readonly tokens: DownstreamTokens;
    readonly resource: string;
    readonly audiences: ReadonlyMap<Upstream, string>;
    readonly providers: ReadonlyMap<Upstream, string>;
    readonly credentials?: GatewayCredentials;
  }) {
    this.#guard = options.guard;
    this.#catalog = options.catalog;
    this.#tokens = options.tokens;
    this.#resource = options.resource;
    this.#audiences = options.audiences;
    this.#providers = options.providers;
    this.#credentials = options.credentials;
  }

  /**
   * Decides and answers one call. Returns the challenge to send instead when
   * the refusal belongs in HTTP; otherwise the answer has been written to `res`.
   */
  async answer(
    message: ToolCallMessage,
    context: {
      readonly writ: string;
      readonly sessionId: string;
      readonly session: SessionEndpoint;
      readonly req: IncomingMessage;
      readonly res: ServerResponse;
    },
  ): Promise<HttpChallenge | undefined> {
    const { name, _meta: rawMeta } = message.params;
    const meta = isRecord(rawMeta) ? rawMeta : undefined;
    const progressToken = meta?.progressToken;
    const response = new ToolCallResponse(context.res, {
      id: message.id,
      sessionId: context.sessionId,
    });
    const entry = typeof name === "string" ? this.#catalog.entry(name) : undefined;
    if (entry === undefined || typeof name !== "string") {
      response.result(failureResult(`Tool ${String(name)} not found.`, "tool.unknown"));
      return undefined;
    }
    const args = message.params.arguments ?? {};
    if (!isRecord(args)) {
      response.error(-32602, "Invalid params: the arguments of tools/call must be an object.");
      return undefined;
    }
    const { approvalId } = readMetaCredentials(meta);
    const call: Call = {
      action: entry.action,
      tool: name,
      args,
      callId: randomUUID(),
      writ: context.writ,
      proof: proofFromDpopHeader(context.req.headers.dpop) ?? "",
      adapter: "mcp-gateway",
      http: { method: "POST", url: this.#resource },
      ...(approvalId === undefined ? {} : { approvalId }),
    };
    const decision = await this.#guard.authorize(call);
    if (decision.effect !== "allow") {
      const challenge =
        decision.effect === "deny" ? challengeFor(decision.code, call.action) : undefined;
      if (challenge) return challenge;
      response.result(decisionResult(decision));
      return undefined;
    }
    const key = sessionKey(context.sessionId, message.id);
    const cancel = new AbortController();
    this.#inFlight.set(key, cancel);
    // A caller that hangs up has cancelled.
    context.res.on("close", () => {
      if (!context.res.writableFinished) cancel.abort();
    });
    const { session } = context;
    const relays = new Set<string>();
    const listeners: UpstreamCallOptions = {
      signal: cancel.signal,
      onLog: (log) => {
        if (session.wantsLog(log.level)) response.log(log);
      },
      onRequest: async ({ method, params }) => {
        if (!session.canAnswer(method)) {
          return { error: { code: -32601, message: "Method not found" } };
        }
        const id = `writ-relay-${randomUUID()}`;
        const answered = new Promise<RelayAnswer>((resolve) => {
          this.#relays.set(sessionKey(context.sessionId, id), resolve);
        });
        relays.add(sessionKey(context.sessionId, id));
        response.request(id, method, params);
        return answered;
      },
      ...(typeof progressToken === "string" || typeof progressToken === "number"
        ? { onProgress: (update) => response.progress(progressToken, update) }
        : {}),
    };
    try {
      await runAllowed(
        this.#guard,
        decision,
        call,
        () => this.#forward(entry, args, decision, meta, listeners),
        { failed: isErrorResult, deliver: (result) => response.result(result) },
      );
    } catch (error) {
      if (error instanceof JsonRpcFailure) response.error(error.code, error.message, error.data);
      else if (isWritError(error)) response.result(failureResult(error.message, error.code));
      else if (!cancel.signal.aborted) response.error(-32603, "Internal error.");
    } finally {
      this.#inFlight.delete(key);
      for (const relay of relays) {
        this.#relays.get(relay)?.({ error: { code: -32603, message: "The call has ended." } });
        this.#relays.delete(relay);
      }
    }
    return undefined;
  }

  /** The caller's notifications/cancelled for a call of its session. */
  cancel(sessionId: string, requestId: unknown): void {
    if (typeof requestId !== "string" && typeof requestId !== "number") return;
    this.#inFlight.get(sessionKey(sessionId, requestId))?.abort();
  }

  /**
   * The caller's answer to a request relayed to it during one of its calls.
   * Returns whether the message was one; only the session the request was
   * sent to can answer it.
   */
  settle(sessionId: string, message: unknown): boolean {
    if (!isRecord(message) || "method" in message) return false;
    const { id, result, error } = message;
    if (typeof id !== "string") return false;
    const key = sessionKey(sessionId, id);
    const resolve = this.#relays.get(key);
    if (resolve === undefined) return false;
    this.#relays.delete(key);
    resolve(
      isRecord(error)
        ? {
            error: {
              code: typeof error.code === "number" ? error.code : -32603,
              message: typeof error.message === "string" ? error.message : "The caller refused.",
              ...(error.data === undefined ? {} : { data: error.data }),
            },
          }
        : { result: result ?? {} },
    );
    return true;
  }

  async #forward(
    entry: CatalogEntry,
    args: Readonly<Record<string, unknown>>,
    decision: AllowDecision,
    meta: Readonly<Record<string, unknown>> | undefined,
    listeners: UpstreamCallOptions,
  ): Promise<CallToolResult> {
    // The writ, the proof and the caller's progress token stay here; the rest of _meta goes on.
    const { progressToken: _token, ...forwarded } = withoutWritMeta(meta) ?? {};
    const authorization = await this.#authorizationFor(entry.upstream, decision);
    const result = await entry.upstream.call(
      entry.tool.name,
      args,
      Object.keys(forwarded).length === 0 ? undefined : forwarded,
      { ...listeners, ...(authorization === undefined ? {} : { authorization }) },
    );
    // An upstream cannot speak for Writ: its own dev.writ/ keys are dropped.
    const resultMeta = withoutWritMeta(result._meta);
    const { _meta: _dropped, ...rest } = result;
    return resultMeta === undefined ? rest : { ...rest, _meta: resultMeta };
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

export function isToolCallMessage(message: unknown): message is ToolCallMessage {
  if (!isRecord(message)) return false;
  const { method, id, params } = message;
  return (
    method === "tools/call" &&
    (typeof id === "string" || typeof id === "number") &&
    isRecord(params)
  );
}

/** A request id within its session: ids are only unique per session. */
function sessionKey(sessionId: string, requestId: string | number): string {
  return `${sessionId} ${JSON.stringify(requestId)}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
