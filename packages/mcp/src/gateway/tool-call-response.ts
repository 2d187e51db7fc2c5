import type { ServerResponse } from "node:http";
import type { CallToolResult, LogMessage, Progress } from "../shared/mcp-sdk.js";

/**
 * The gateway's answer to one tools/call, written as Streamable HTTP allows:
 * a JSON body when there is only the response to send, else an SSE stream
 * carrying what came first (progress, log messages, requests to the caller)
 * and then the response. Once the caller is gone, writes are dropped.
 */
export class ToolCallResponse {
  readonly #res: ServerResponse;
  readonly #id: string | number;
  readonly #sessionId: string;
  #streaming = false;

  constructor(
    res: ServerResponse,
    options: { readonly id: string | number; readonly sessionId: string },
  ) {
    this.#res = res;
    this.#id = options.id;
    this.#sessionId = options.sessionId;
  }

  progress(progressToken: string | number, progress: Progress): void {
    this.#event({
      jsonrpc: "2.0",
      method: "notifications/progress",
      params: { progressToken, ...progress },
    });
  }

  log(message: LogMessage): void {
    this.#event({ jsonrpc: "2.0", method: "notifications/message", params: message });
  }

  /** A request to the caller (sampling, elicitation), whose answer comes back in another POST. */
  request(id: string, method: string, params: unknown): void {
    this.#event({ jsonrpc: "2.0", id, method, params });
  }

  result(result: CallToolResult): void {
    this.#finish({ jsonrpc: "2.0", id: this.#id, result });
  }

  error(code: number, message: string, data?: unknown): void {
    this.#finish({
      jsonrpc: "2.0",
      id: this.#id,
      error: { code, message, ...(data === undefined ? {} : { data }) },
    });
  }

  #finish(message: unknown): void {
    if (this.#res.destroyed || this.#res.writableEnded) return;
    if (this.#streaming) {
      this.#event(message);
      this.#res.end();
      return;
    }
    this.#res.writeHead(200, {
      "content-type": "application/json",
      "mcp-session-id": this.#sessionId,
    });
    this.#res.end(JSON.stringify(message));
  }

  #event(message: unknown): void {
    if (this.#res.destroyed || this.#res.writableEnded) return;
    if (!this.#streaming) {
      this.#streaming = true;
      this.#res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-cache, no-transform",
        "mcp-session-id": this.#sessionId,
      });
    }
    this.#res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }
}
