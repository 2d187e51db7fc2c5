/**
 * JSON-RPC 2.0 as MCP uses it: what a message is, and the error codes the
 * specification names. The gateway relays messages without an SDK, so it
 * reads them with these and nothing else.
 */
import { isRecord } from "./mcp-types.js";

export type RequestId = string | number;

export interface JsonRpcRequest {
  readonly jsonrpc: "2.0";
  readonly id: RequestId;
  readonly method: string;
  readonly params?: Record<string, unknown>;
}

export interface JsonRpcNotification {
  readonly jsonrpc: "2.0";
  readonly method: string;
  readonly params?: Record<string, unknown>;
}

export interface JsonRpcErrorBody {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

export type JsonRpcResponse =
  | { readonly jsonrpc: "2.0"; readonly id: RequestId; readonly result: Record<string, unknown> }
  | { readonly jsonrpc: "2.0"; readonly id: RequestId | null; readonly error: JsonRpcErrorBody };

export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

/** Error codes of JSON-RPC and of the MCP specification (2026-07-28 §Error codes). */
export const RPC_ERROR = {
  parse: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
  /** MCP's `HeaderMismatch`: the request's MCP headers do not match its body. */
  headerMismatch: -32020,
  /** MCP's `MissingRequiredClientCapability`. */
  missingCapability: -32021,
  /** MCP's `UnsupportedProtocolVersion`. */
  unsupportedVersion: -32022,
} as const;

export function isRequestId(value: unknown): value is RequestId {
  return typeof value === "string" || (typeof value === "number" && Number.isSafeInteger(value));
}

export function isRequest(message: unknown): message is JsonRpcRequest {
  return (
    isRecord(message) &&
    typeof message.method === "string" &&
    isRequestId(message.id) &&
    (message.params === undefined || isRecord(message.params))
  );
}

export function isNotification(message: unknown): message is JsonRpcNotification {
  return (
    isRecord(message) &&
    typeof message.method === "string" &&
    !("id" in message) &&
    (message.params === undefined || isRecord(message.params))
  );
}

export function isResponse(message: unknown): message is JsonRpcResponse {
  return (
    isRecord(message) &&
    !("method" in message) &&
    (isRequestId(message.id) || message.id === null) &&
    (isRecord(message.result) || isRecord(message.error))
  );
}

/** A JSON-RPC error answered by a peer, as a value (code, message and data kept as sent). */
export function errorBodyOf(error: unknown): JsonRpcErrorBody {
  const body = isRecord(error) ? error : {};
  return {
    code: typeof body.code === "number" ? body.code : RPC_ERROR.internal,
    message: typeof body.message === "string" ? body.message : "The peer answered with an error.",
    ...(body.data === undefined ? {} : { data: body.data }),
  };
}

export function resultMessage(id: RequestId, result: Record<string, unknown>): JsonRpcResponse {
  return { jsonrpc: "2.0", id, result };
}

export function errorMessage(id: RequestId | null, error: JsonRpcErrorBody): JsonRpcResponse {
  return { jsonrpc: "2.0", id, error };
}
