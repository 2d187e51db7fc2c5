import { isWritError, isWritErrorCode, propagateTrace, WritError } from "@writ/core";
import {
  type Answer,
  type Exchange,
  ExchangeTimeout,
  fetchExchange,
  keepAliveExchange,
} from "./keep-alive-exchange.js";

/** How a client reaches a Writ server. */
export interface RemoteOptions {
  /** The server's base URL, e.g. `https://writ.example.com`. */
  readonly url: string;
  /** An API key: `writ_<id>.<secret>`. Sent only to `url`, never logged or put in errors. */
  readonly apiKey: string;
  /** How long one request may take, in ms. Default 10,000. */
  readonly requestTimeoutMs?: number;
  /**
   * Allow plain `http:` to a host other than loopback. Default false: the API
   * key and every ledger row would cross the network in clear text.
   */
  readonly allowInsecureHttp?: boolean;
  /**
   * The fetch implementation. Default: the global fetch for streams (the live
   * feed, exports), and node:http(s) on kept-alive connections for JSON calls.
   */
  readonly fetch?: typeof fetch;
}

export interface RequestOptions {
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly body?: unknown;
  /** The body already serialized as JSON (in place of `body`). */
  readonly bodyJson?: string;
  readonly signal?: AbortSignal;
  readonly headers?: Readonly<Record<string, string>>;
  /** A streamed response: the timeout covers the wait for its headers only, not the body. */
  readonly stream?: boolean;
}

/** Paths whose URL is kept: the backend's few fixed ones, and then some (ids make the others). */
const KEPT_URLS = 64;
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/**
 * The HTTP half of the client: authenticated JSON requests to a Writ
 * server, problem documents turned back into WritErrors (and TypeErrors for
 * requests the server refused as invalid, as the store would have thrown).
 */
export class HttpTransport {
  readonly baseUrl: URL;
  /** `host:port`, for messages: never the key. */
  readonly where: string;
  readonly #authorization: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #exchange: Exchange;
  /** URLs of paths without a query, by path: only node:http reads them (fetch is given their text). */
  readonly #urls = new Map<string, URL>();

  constructor(options: RemoteOptions) {
    if (typeof options?.url !== "string")
      throw new TypeError("A remote Writ server needs { url, apiKey }.");
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new TypeError("url must be the Writ server's base URL, e.g. https://writ.example.com.");
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      throw new TypeError("url must be an http(s) URL.");
    }
    if (
      url.protocol === "http:" &&
      !LOOPBACK.has(url.hostname) &&
      options.allowInsecureHttp !== true
    ) {
      throw new TypeError(
        "Refusing plain http to a non-loopback Writ server: use https, or set allowInsecureHttp for a trusted network.",
      );
    }
    if (typeof options.apiKey !== "string" || options.apiKey.length === 0) {
      throw new TypeError("A remote Writ server needs an apiKey.");
    }
    this.baseUrl = new URL(url.pathname.endsWith("/") ? url.href : `${url.href}/`);
    this.where = `the Writ server at ${url.host}`;
    this.#authorization = `Bearer ${options.apiKey}`;
    this.#timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#fetch = options.fetch ?? fetch;
    this.#exchange = options.fetch ? fetchExchange(options.fetch) : keepAliveExchange();
  }

  /** A JSON request; resolves with the parsed body (undefined for 204). */
  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const { url, headers, body } = this.#request(path, options);
    let answer: Answer;
    try {
      // The exchange reads the body whole, under the timeout.
      answer = await this.#exchange(url, {
        method,
        headers,
        body,
        signal: options.signal,
        timeoutMs: this.#timeoutMs,
      });
    } catch (error) {
      throw this.#unanswered(error instanceof ExchangeTimeout, error);
    }
    if (answer.status < 200 || answer.status > 299) {
      throw errorOf(answer.status, answer.contentType, answer.text, this.where);
    }
    if (answer.status === 204) return undefined as T;
    return JSON.parse(answer.text) as T;
  }

  /** Closes the connections kept open for JSON calls. */
  close(): void {
    this.#exchange.close();
  }

  /** Like json(), but a 404 resolves to undefined. */
  async optional<T>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<T | undefined> {
    try {
      return await this.json<T>(method, path, options);
    } catch (error) {
      if (
        isWritError(error) &&
        (error.code === "store.not_found" || error.code === "request.not_found")
      ) {
        return undefined;
      }
      throw error;
    }
  }

  /** Sends a request and returns the response once it is known to be a success. */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const { url, headers, body } = this.#request(path, options);
    const response = await this.#bounded(
      options.signal,
      (signal) =>
        this.#fetch(url.href, { method, headers, ...(body === undefined ? {} : { body }), signal }),
      // A stream's timeout covers the wait for its headers; any other body is read under it.
      options.stream === true,
    );
    if (!response.ok) {
      const contentType = response.headers.get("content-type") ?? "";
      const text = contentType.includes("json") ? await response.text().catch(() => "") : "";
      throw errorOf(response.status, contentType, text, this.where);
    }
    return response;
  }

  #request(
    path: string,
    options: RequestOptions,
  ): { url: URL; headers: Record<string, string>; body: string | undefined } {
    const headers: Record<string, string> = {
      authorization: this.#authorization,
      ...options.headers,
    };
    // The server continues the caller's trace: a guard's ledger append is part of its writ.authorize span.
    propagateTrace(headers);
    const body =
      options.bodyJson ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (body !== undefined) headers["content-type"] = "application/json";
    return { url: this.#url(path, options.query), headers, body };
  }

  /** A path's URL on the server; one without a query is resolved once and kept (a guard's append is on every call's path). */
  #url(path: string, query: RequestOptions["query"]): URL {
    const known = query === undefined ? this.#urls.get(path) : undefined;
    if (known) return known;
    const url = new URL(path.replace(/^\//, ""), this.baseUrl);
    if (query === undefined) {
      if (this.#urls.size >= KEPT_URLS) this.#urls.clear();
      this.#urls.set(path, url);
    } else {
      for (const [name, value] of Object.entries(query)) {
        if (value !== undefined) url.searchParams.set(name, String(value));
      }
    }
    return url;
  }

  /**
   * Runs a request under the transport's timeout (and the caller's signal),
   * its failure to answer a store.unavailable. The timeout is cleared once it
   * answers when `answered` says nothing more needs bounding.
   */
  async #bounded<T>(
    callerSignal: AbortSignal | undefined,
    request: (signal: AbortSignal) => Promise<T>,
    answered: boolean,
  ): Promise<T> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.#timeoutMs);
    timer.unref();
    try {
      return await request(
        callerSignal ? AbortSignal.any([callerSignal, deadline.signal]) : deadline.signal,
      );
    } catch (error) {
      throw this.#unanswered(deadline.signal.aborted, error);
    } finally {
      if (answered) clearTimeout(timer);
    }
  }

  /** A request that got no answer: a store.unavailable, saying whether it timed out. */
  #unanswered(timedOut: boolean, cause: unknown): WritError {
    return new WritError(
      "store.unavailable",
      timedOut
        ? `${this.where} did not answer within ${this.#timeoutMs} ms.`
        : `${this.where} could not be reached.`,
      {},
      cause,
    );
  }
}

/**
 * The error a failed response stands for: the problem's WritError, or a
 * TypeError for request.invalid. A code this client does not know (a newer or
 * foreign server) is never passed on as if it were one: it becomes
 * server.internal, naming the code so the mismatch can be seen and fixed.
 */
function errorOf(status: number, contentType: string, text: string, where: string): Error {
  let problem: { code?: unknown; detail?: unknown; details?: unknown } | undefined;
  if (contentType.includes("json")) {
    try {
      problem = JSON.parse(text) as typeof problem;
    } catch {
      problem = undefined;
    }
  }
  const code = problem?.code;
  const detail =
    typeof problem?.detail === "string" ? problem.detail : `${where} answered ${status}.`;
  if (code === "request.invalid") return new TypeError(detail);
  if (isWritErrorCode(code)) {
    const details =
      problem?.details !== null && typeof problem?.details === "object"
        ? (problem.details as Record<string, unknown>)
        : {};
    return new WritError(code, detail, details);
  }
  if (typeof code === "string") {
    const named = CODE_SHAPE.test(code) ? `the error code "${code}"` : "a malformed error code";
    const said = typeof problem?.detail === "string" ? ` It said: ${problem.detail}` : "";
    return new WritError(
      "server.internal",
      `${where} answered ${status} with ${named}, which this @writ/client does not know: use a client as new as the server.${said}`,
      { status },
    );
  }
  return new WritError(
    status >= 500 ? "store.unavailable" : "server.internal",
    `${where} answered ${status} without a problem document.`,
  );
}

/** What a Writ error code looks like, so only such a string is repeated in a message. */
const CODE_SHAPE = /^[a-z][a-z_]{0,31}(\.[a-z][a-z_]{0,31}){1,2}$/;
