import { randomUUID } from "node:crypto";
import { INPUT_REQUEST_CAPABILITY } from "../shared/mcp-protocol.js";
import { isRecord, type JsonObject } from "../shared/mcp-types.js";
import type { ResponseStream } from "./response-stream.js";
import type { RelayAnswer, UpstreamRequest } from "./upstream-connection.js";

/** What a caller hears next of a request that waits on its input. */
export type ContinuationStep =
  | { readonly kind: "done"; readonly result: Record<string, unknown> }
  | { readonly kind: "failed"; readonly error: unknown }
  | { readonly kind: "input"; readonly inputRequests: Record<string, unknown> };

const PREFIX = "writ-continuation-";

/**
 * A legacy upstream's request still running for a 2026-07-28 caller, which
 * has no stream the upstream's questions could be pushed on. The gateway
 * answers the caller with an `input_required` result carrying the questions
 * and a `requestState` naming this continuation; the caller's retry brings
 * the answers, which go to the waiting upstream, and gets what comes next:
 * the result, or more questions.
 */
export class InputContinuation {
  readonly token = `${PREFIX}${randomUUID()}`;
  readonly principal: string;
  readonly method: string;
  /** What the retry must name again (the tool, prompt or URI). */
  readonly name: string | undefined;
  /** Where what the upstream says meanwhile goes: the stream of the caller's latest leg. */
  readonly out: { current: ResponseStream };
  readonly #capabilities: JsonObject;
  readonly #cancel: AbortController;
  readonly #asked = new Map<
    string,
    { request: UpstreamRequest; resolve: (answer: RelayAnswer) => void }
  >();
  #outcome: ContinuationStep | undefined;
  #wake: (() => void) | undefined;
  #next = 0;

  constructor(options: {
    readonly principal: string;
    readonly method: string;
    readonly name: string | undefined;
    readonly capabilities: JsonObject;
    readonly cancel: AbortController;
    readonly out: { current: ResponseStream };
  }) {
    this.principal = options.principal;
    this.out = options.out;
    this.method = options.method;
    this.name = options.name;
    this.#capabilities = options.capabilities;
    this.#cancel = options.cancel;
  }

  /** Aborts the upstream request this continuation stands for, when it is given up. */
  get signal(): AbortSignal {
    return this.#cancel.signal;
  }

  /** Follows the upstream request this continuation stands for. */
  run(request: Promise<Record<string, unknown>>): void {
    request.then(
      (result) => this.#settle({ kind: "done", result }),
      (error: unknown) => this.#settle({ kind: "failed", error }),
    );
  }

  /** An upstream question for the caller; answered when the caller retries. */
  ask(request: UpstreamRequest): Promise<RelayAnswer> {
    const capability = INPUT_REQUEST_CAPABILITY[request.method];
    if (request.method === "ping") return Promise.resolve({ result: {} });
    if (capability === undefined || !isRecord(this.#capabilities[capability])) {
      return Promise.resolve({ error: { code: -32601, message: "Method not found" } });
    }
    return new Promise((resolve) => {
      this.#asked.set(`input-${++this.#next}`, { request, resolve });
      this.#wake?.();
    });
  }

  /**
   * What happens next: the result, or the questions asked so far. Questions
   * asked together are collected for one answer to the caller.
   */
  async next(): Promise<ContinuationStep> {
    while (this.#outcome === undefined && this.#asked.size === 0) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
    if (this.#outcome) return this.#outcome;
    await new Promise((resolve) => setImmediate(resolve));
    if (this.#outcome) return this.#outcome;
    return {
      kind: "input",
      inputRequests: Object.fromEntries(
        [...this.#asked].map(([key, { request }]) => [
          key,
          {
            method: request.method,
            ...(request.params === undefined ? {} : { params: request.params }),
          },
        ]),
      ),
    };
  }

  /** The caller's answers (`inputResponses`), each to the upstream question it names; an unanswered question is declined. */
  answer(responses: unknown): void {
    const given = isRecord(responses) ? responses : {};
    for (const [key, { resolve }] of this.#asked) {
      const response = given[key];
      resolve(
        isRecord(response)
          ? { result: response }
          : { error: { code: -32603, message: "The caller gave no answer." } },
      );
    }
    this.#asked.clear();
  }

  /** Gives up: the upstream request is cancelled and its questions declined. */
  cancel(): void {
    this.answer(undefined);
    this.#cancel.abort();
  }

  #settle(step: ContinuationStep): void {
    this.#outcome ??= step;
    this.#wake?.();
  }
}

/**
 * The continuations waiting for their caller's retry, each for at most
 * `ttlMs`, found only by the principal that holds them.
 */
export class InputContinuations {
  readonly #waiting = new Map<string, { continuation: InputContinuation; timer: NodeJS.Timeout }>();
  readonly #ttlMs: number;

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  static names(requestState: unknown): requestState is string {
    return typeof requestState === "string" && requestState.startsWith(PREFIX);
  }

  keep(continuation: InputContinuation): void {
    const timer = setTimeout(() => this.take(continuation.token)?.cancel(), this.#ttlMs);
    timer.unref();
    this.#waiting.set(continuation.token, { continuation, timer });
  }

  /** The continuation a retry names, if it exists; it is no longer waiting once taken. */
  take(token: string): InputContinuation | undefined {
    const waiting = this.#waiting.get(token);
    if (waiting === undefined) return undefined;
    this.#waiting.delete(token);
    clearTimeout(waiting.timer);
    return waiting.continuation;
  }

  close(): void {
    for (const token of [...this.#waiting.keys()]) this.take(token)?.cancel();
  }
}
