import type { JsonRpcErrorBody } from "./json-rpc.js";

/**
 * A JSON-RPC error a peer answered a request with (invalid params, an
 * unknown tool …). The gateway relays it to the caller as the same error.
 */
export class JsonRpcFailure extends Error {
  override readonly name = "JsonRpcFailure";
  readonly code: number;
  readonly data: unknown;

  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.code = code;
    this.data = data;
  }

  static from(body: JsonRpcErrorBody): JsonRpcFailure {
    return new JsonRpcFailure(body.code, body.message, body.data);
  }

  /** The error as a JSON-RPC error body. */
  body(): JsonRpcErrorBody {
    return {
      code: this.code,
      message: this.message,
      ...(this.data === undefined ? {} : { data: this.data }),
    };
  }
}
