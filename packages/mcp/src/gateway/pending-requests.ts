import {
  errorBodyOf,
  isNotification,
  isRequest,
  isResponse,
  type JsonRpcNotification,
  type RequestId,
} from "../shared/json-rpc.js";
import { JsonRpcFailure } from "../shared/json-rpc-failure.js";
import { isRecord } from "../shared/mcp-types.js";
import {
  type RelayAnswer,
  UpstreamFailure,
  type UpstreamListener,
  type UpstreamRequest,
  type UpstreamRequestOptions,
} from "./upstream-connection.js";

interface Pending {
  readonly method: string;
  readonly options: UpstreamRequestOptions;
  readonly resolve: (result: Record<string, unknown>) => void;
  readonly reject: (error: unknown) => void;
  timer: NodeJS.Timeout | undefined;
  /** Stops the request on the wire (an HTTP request, a cancellation sent). */
  stop: ((why: "timeout" | "aborted") => void) | undefined;
}

/**
 * The requests a connection has sent and not yet had answered: their ids,
 * their timeouts (reset by progress), and the routing of what comes back.
 * A response settles its request; progress goes to the request whose id is
 * its token; other notifications and requests go to the request they arrived
 * for (an HTTP response stream), else to the connection's listener.
 */
export class PendingRequests {
  readonly #pending = new Map<RequestId, Pending>();
  readonly #listener: UpstreamListener;
  readonly #answer: (id: RequestId, answer: RelayAnswer) => void;
  #next = 0;

  constructor(
    listener: UpstreamListener,
    /** Sends the gateway's answer to a request the upstream made. */
    answer: (id: RequestId, answer: RelayAnswer) => void,
  ) {
    this.#listener = listener;
    this.#answer = answer;
  }

  /** Registers a request about to be sent: its id, and a promise of its result. */
  open(
    method: string,
    options: UpstreamRequestOptions,
  ): { id: string; result: Promise<Record<string, unknown>> } {
    const id = `writ-${++this.#next}`;
    const result = new Promise<Record<string, unknown>>((resolve, reject) => {
      const pending: Pending = {
        method,
        options,
        resolve,
        reject,
        timer: undefined,
        stop: undefined,
      };
      this.#pending.set(id, pending);
      this.#arm(id, pending);
    });
    const { signal } = options;
    if (signal) {
      const onAbort = () => this.#stop(id, "aborted");
      if (signal.aborted) queueMicrotask(onAbort);
      else {
        signal.addEventListener("abort", onAbort, { once: true });
        const detach = () => signal.removeEventListener("abort", onAbort);
        result.then(detach, detach);
      }
    }
    return { id, result };
  }

  /** How to stop a request on the wire when it times out or is aborted. */
  onStop(id: string, stop: (why: "timeout" | "aborted") => void): void {
    const pending = this.#pending.get(id);
    if (pending) pending.stop = stop;
  }

  has(id: RequestId): boolean {
    return this.#pending.has(id);
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Fails one request without an answer. */
  fail(id: RequestId, error: unknown): void {
    const pending = this.#take(id);
    pending?.reject(error);
  }

  /** Fails every request: the connection is gone. */
  failAll(error: UpstreamFailure): void {
    for (const id of [...this.#pending.keys()]) this.fail(id, error);
  }

  /**
   * Routes one message from the upstream. `context` is the id of the request
   * whose response stream carried it, if any.
   */
  dispatch(message: unknown, context: RequestId | undefined): void {
    if (isResponse(message)) {
      const pending = message.id === null ? undefined : this.#take(message.id);
      if (pending === undefined) return;
      if ("error" in message) pending.reject(JsonRpcFailure.from(errorBodyOf(message.error)));
      else pending.resolve(message.result);
      return;
    }
    if (isNotification(message)) {
      this.#notified(message, context);
      return;
    }
    if (isRequest(message)) {
      const request: UpstreamRequest = { method: message.method, params: message.params };
      const owner = context === undefined ? undefined : this.#pending.get(context);
      const answered = owner
        ? (owner.options.onRequest?.(request) ?? Promise.resolve(METHOD_NOT_FOUND))
        : this.#listener.onRequest(request);
      void answered
        .catch(
          (): RelayAnswer => ({
            error: { code: -32603, message: "The request could not be relayed." },
          }),
        )
        .then((answer) => this.#answer(message.id, answer));
    }
  }

  #notified(notification: JsonRpcNotification, context: RequestId | undefined): void {
    const token =
      notification.method === "notifications/progress" && isRecord(notification.params)
        ? notification.params.progressToken
        : undefined;
    const target =
      (typeof token === "string" ? this.#pending.get(token) : undefined) ??
      (context === undefined ? undefined : this.#pending.get(context));
    if (target === undefined) {
      if (token === undefined) this.#listener.onNotification(notification);
      return;
    }
    if (token !== undefined) this.#arm(token as string, target);
    target.options.onNotification?.(notification);
  }

  #arm(id: string, pending: Pending): void {
    clearTimeout(pending.timer);
    if (!Number.isFinite(pending.options.timeoutMs)) return;
    pending.timer = setTimeout(() => this.#stop(id, "timeout"), pending.options.timeoutMs);
  }

  #stop(id: RequestId, why: "timeout" | "aborted"): void {
    const pending = this.#take(id);
    if (pending === undefined) return;
    pending.stop?.(why);
    pending.reject(
      why === "timeout"
        ? new UpstreamFailure(
            "timeout",
            `No answer to ${pending.method} within ${pending.options.timeoutMs} ms.`,
          )
        : new UpstreamFailure("aborted", "The caller cancelled the request."),
    );
  }

  #take(id: RequestId): Pending | undefined {
    const pending = this.#pending.get(id);
    if (pending === undefined) return undefined;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    return pending;
  }
}

const METHOD_NOT_FOUND: RelayAnswer = { error: { code: -32601, message: "Method not found" } };
