import type { ServerResponse } from "node:http";
import type { JsonRpcErrorBody, RequestId } from "../shared/json-rpc.js";

/**
 * The gateway's answer to one POSTed request, as Streamable HTTP allows: a
 * JSON body when there is only the response to send, else a Server-Sent
 * Events stream carrying what comes first (progress, log messages, requests
 * to the caller) and then the response. A standalone or subscription stream
 * is one that never carries a response. Once the caller is gone, writes are
 * dropped and `closed` says so.
 */
export class ResponseStream {
  readonly #res: ServerResponse;
  readonly #headers: Readonly<Record<string, string>>;
  #streaming = false;

  constructor(res: ServerResponse, headers: Readonly<Record<string, string>> = {}) {
    this.#res = res;
    this.#headers = headers;
  }

  /** Whether the caller hung up, or the answer is complete. */
  get closed(): boolean {
    return this.#res.destroyed || this.#res.writableEnded;
  }

  /** Runs `listener` if the caller hangs up before the answer is complete. */
  onHangUp(listener: () => void): void {
    this.#res.on("close", () => {
      if (!this.#res.writableFinished) listener();
    });
  }

  /** Opens the event stream now (a standalone or subscription stream starts before it has anything to say). */
  open(): void {
    this.#start();
  }

  /** A notification or a request to the caller, on the event stream. */
  send(message: Record<string, unknown>): void {
    if (this.closed) return;
    this.#start();
    this.#res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  result(id: RequestId, result: Record<string, unknown>): void {
    this.#finish({ jsonrpc: "2.0", id, result });
  }

  error(id: RequestId | null, error: JsonRpcErrorBody): void {
    this.#finish({ jsonrpc: "2.0", id, error });
  }

  end(): void {
    if (!this.closed) this.#res.end();
  }

  #finish(message: Record<string, unknown>): void {
    if (this.closed) return;
    if (this.#streaming) {
      this.send(message);
      this.#res.end();
      return;
    }
    const body = JSON.stringify(message);
    this.#res.writeHead(200, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      ...this.#headers,
    });
    this.#res.end(body);
  }

  #start(): void {
    if (this.#streaming) return;
    this.#streaming = true;
    this.#res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache, no-transform",
      ...this.#headers,
    });
    this.#res.flushHeaders();
  }
}
