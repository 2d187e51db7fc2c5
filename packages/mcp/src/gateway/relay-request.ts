import { propagateTrace } from "@writ/core";
import { RPC_ERROR } from "../shared/json-rpc.js";
import { JsonRpcFailure } from "../shared/json-rpc-failure.js";
import { mcpNameOf } from "../shared/mcp-headers.js";
import { INPUT_REQUEST_CAPABILITY, MCP_META, type ProtocolEra } from "../shared/mcp-protocol.js";
import { isRecord, type JsonObject } from "../shared/mcp-types.js";
import { withoutWritMeta } from "../shared/writ-meta.js";
import type { CallerSession } from "./caller-session.js";
import { GATEWAY_INFO } from "./gateway-info.js";
import {
  type ContinuationStep,
  InputContinuation,
  type InputContinuations,
} from "./input-continuations.js";
import type { ResponseStream } from "./response-stream.js";
import type { CallerScope, Upstream } from "./upstream.js";
import type { UpstreamRequestOptions } from "./upstream-connection.js";

/** Who asked, in which protocol generation, and where what relates to the request goes. */
export interface CallerContext {
  readonly era: ProtocolEra;
  readonly principal: string;
  /** A legacy caller's MCP session. */
  readonly session: CallerSession | undefined;
  /** The client capabilities the caller declared (at initialize, or in this request's `_meta`). */
  readonly capabilities: JsonObject;
  /** The log level to ask of a modern upstream for this request; none: no log messages. */
  readonly logLevel: string | undefined;
  wantsLog(level: unknown): boolean;
  /** The answer to the caller's request. */
  readonly stream: ResponseStream;
  /** Aborted when the caller cancels (or hangs up). */
  readonly signal: AbortSignal;
}

/** One request on its way to an upstream. */
export interface Relay {
  readonly upstream: Upstream;
  readonly method: string;
  /** The params as the caller sent them. */
  readonly params: Record<string, unknown>;
  /** How the request is named in errors. */
  readonly what: string;
  /** HTTP upstreams: the request's own token (a guarded call's). */
  readonly authorization?: string;
  /** Modern HTTP upstreams: `Mcp-Param-*` headers. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Rounds of input a request may ask for before the gateway gives up on it (as the SDKs do). */
const MAX_INPUT_ROUNDS = 10;

/**
 * Carries one caller request to its upstream and the upstream's answer back,
 * across protocol generations: progress (with the caller's own token) and log
 * messages (at the caller's level) on the request's stream, and requests for
 * input — pushed to a legacy caller as requests, returned to a modern one as
 * an `input_required` result — whichever generation the upstream speaks.
 * Writ's `_meta` keys never travel on, either way.
 */
export class RequestRelay {
  readonly #continuations: InputContinuations;
  readonly #modernScopes: (capabilities: JsonObject) => CallerScope;

  constructor(options: {
    readonly continuations: InputContinuations;
    /** The scope of modern callers that declare these capabilities (they have no session). */
    readonly modernScope: (capabilities: JsonObject) => CallerScope;
  }) {
    this.#continuations = options.continuations;
    this.#modernScopes = options.modernScope;
  }

  /** Sends the request and returns the result to give the caller. */
  async send(relay: Relay, caller: CallerContext): Promise<Record<string, unknown>> {
    const { meta, progressToken, params } = this.#outgoing(relay.params);
    const scope = caller.session
      ? caller.session.scopeFor(relay.upstream)
      : this.#modernScopes(caller.capabilities);
    const stream = { current: caller.stream };
    const options: Omit<UpstreamRequestOptions, "timeoutMs"> = {
      capabilities: caller.capabilities,
      ...(caller.logLevel === undefined ? {} : { logLevel: caller.logLevel }),
      ...(progressToken === undefined ? {} : { progress: true }),
      ...(relay.authorization === undefined ? {} : { authorization: relay.authorization }),
      ...(relay.headers === undefined ? {} : { headers: relay.headers }),
      onNotification: (notification) => {
        const update = notification.params ?? {};
        if (notification.method === "notifications/progress" && progressToken !== undefined) {
          const { progressToken: _theirs, ...progress } = update;
          stream.current.send({ ...notification, params: { ...progress, progressToken } });
        } else if (
          notification.method === "notifications/message" &&
          caller.wantsLog(update.level)
        ) {
          stream.current.send({ ...notification });
        }
      },
    };
    const send = (withParams: Record<string, unknown>, signal: AbortSignal, more = options) =>
      relay.upstream.request(
        relay.method,
        meta === undefined ? withParams : { ...withParams, _meta: meta },
        { ...more, signal },
        scope,
        relay.what,
      );

    if (caller.session === undefined) {
      const continuation = new InputContinuation({
        principal: caller.principal,
        method: relay.method,
        name: mcpNameOf(relay.method, relay.params),
        capabilities: caller.capabilities,
        cancel: new AbortController(),
        out: stream,
      });
      // A legacy upstream's questions wait for the caller's retry; a modern one's are returned as they are.
      continuation.run(
        send(params, continuation.signal, {
          ...options,
          onRequest: (request) => continuation.ask(request),
        }),
      );
      return this.#step(continuation, caller);
    }
    let round = 0;
    let next = params;
    for (;;) {
      const result = await send(next, caller.signal, {
        ...options,
        onRequest: (request) => (caller.session as CallerSession).relay(request, stream.current),
      });
      if (result.resultType !== "input_required")
        return forCaller(fromUpstream(result), caller.era);
      // A modern upstream asks a legacy caller: its questions are pushed, and the request retried with the answers.
      if (++round > MAX_INPUT_ROUNDS) {
        throw new JsonRpcFailure(
          RPC_ERROR.internal,
          `The MCP server still asked for input after ${MAX_INPUT_ROUNDS} rounds; the gateway gave up.`,
        );
      }
      next = { ...params, ...(await this.#answered(result, caller)) };
    }
  }

  /**
   * A modern caller's retry that names a continuation: its answers go to the
   * waiting upstream request, and the caller gets what comes next.
   */
  async resume(
    continuation: InputContinuation,
    params: Record<string, unknown>,
    caller: CallerContext,
  ): Promise<Record<string, unknown>> {
    if (
      continuation.principal !== caller.principal ||
      mcpNameOf(continuation.method, params) !== continuation.name
    ) {
      continuation.cancel();
      throw new JsonRpcFailure(RPC_ERROR.invalidParams, "Invalid or expired requestState.");
    }
    continuation.out.current = caller.stream;
    continuation.answer(params.inputResponses);
    return this.#step(continuation, caller);
  }

  /** What comes next of a continuation, for this leg of the caller's; a caller who hangs up gives it up. */
  async #step(
    continuation: InputContinuation,
    caller: CallerContext,
  ): Promise<Record<string, unknown>> {
    const abandon = () => continuation.cancel();
    caller.signal.addEventListener("abort", abandon, { once: true });
    let step: ContinuationStep;
    try {
      step = await continuation.next();
    } finally {
      caller.signal.removeEventListener("abort", abandon);
    }
    if (step.kind === "failed") throw step.error;
    if (step.kind === "done") {
      // A modern upstream's own input_required is the caller's to answer, unchanged.
      return forCaller(fromUpstream(step.result), caller.era);
    }
    this.#continuations.keep(continuation);
    return forCaller(
      {
        resultType: "input_required",
        inputRequests: step.inputRequests,
        requestState: continuation.token,
      },
      caller.era,
    );
  }

  /** Asks a legacy caller each question of an `input_required` result; returns the retry's additions. */
  async #answered(
    result: Record<string, unknown>,
    caller: CallerContext,
  ): Promise<Record<string, unknown>> {
    const session = caller.session as CallerSession;
    const asked = isRecord(result.inputRequests) ? result.inputRequests : {};
    const answers = await Promise.all(
      Object.entries(asked).map(async ([key, request]) => {
        if (!isRecord(request) || typeof request.method !== "string")
          return [key, undefined] as const;
        const capability = INPUT_REQUEST_CAPABILITY[request.method];
        if (capability === undefined) return [key, undefined] as const;
        const answer = await session.relay(
          { method: request.method, params: isRecord(request.params) ? request.params : undefined },
          caller.stream,
        );
        return [key, "result" in answer ? answer.result : undefined] as const;
      }),
    );
    const inputResponses = Object.fromEntries(answers.filter(([, answer]) => answer !== undefined));
    return {
      ...(Object.keys(inputResponses).length > 0 ? { inputResponses } : {}),
      ...(typeof result.requestState === "string" ? { requestState: result.requestState } : {}),
    };
  }

  /** The caller's params without Writ's `_meta` keys and with its progress token held back. */
  #outgoing(sent: Record<string, unknown>): {
    meta: Record<string, unknown> | undefined;
    progressToken: string | number | undefined;
    params: Record<string, unknown>;
  } {
    const { _meta, ...params } = sent;
    const { progressToken, ...rest } = withoutWritMeta(isRecord(_meta) ? _meta : undefined) ?? {};
    // The caller's own envelope keys describe its request to the gateway; the gateway writes the upstream's.
    const kept = Object.fromEntries(
      Object.entries(rest).filter(([key]) => !key.startsWith("io.modelcontextprotocol/")),
    );
    // The upstream continues the gateway's span (the tool's run), not the caller's.
    propagateTrace(kept);
    return {
      meta: Object.keys(kept).length === 0 ? undefined : kept,
      progressToken:
        typeof progressToken === "string" || typeof progressToken === "number"
          ? progressToken
          : undefined,
      params,
    };
  }
}

/** An upstream's result without any `dev.writ/` key: an upstream cannot speak for Writ. */
function fromUpstream(result: Record<string, unknown>): Record<string, unknown> {
  const { _meta, ...rest } = result;
  const meta = withoutWritMeta(isRecord(_meta) ? _meta : undefined);
  return meta === undefined ? rest : { ...rest, _meta: meta };
}

/** A result as the caller's protocol generation writes it. */
export function forCaller(
  result: Record<string, unknown>,
  era: ProtocolEra,
): Record<string, unknown> {
  const { _meta, resultType, ...rest } = result;
  const meta = isRecord(_meta) ? _meta : undefined;
  if (era === "legacy") return meta === undefined ? rest : { ...rest, _meta: meta };
  return {
    ...rest,
    resultType: typeof resultType === "string" ? resultType : "complete",
    _meta: { ...meta, [MCP_META.serverInfo]: GATEWAY_INFO },
  };
}
