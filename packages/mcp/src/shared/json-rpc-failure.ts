/**
 * A JSON-RPC error an upstream answered a call with (invalid params, an
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
}
