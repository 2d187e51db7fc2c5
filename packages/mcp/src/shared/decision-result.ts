import type { ApprovalRequiredDecision, DenyDecision, WritErrorCode } from "@writ/core";
import type { JsonRpcErrorBody } from "./json-rpc.js";
import type { CallToolResult } from "./mcp-types.js";
import { WRIT_META } from "./writ-meta.js";

/**
 * The JSON-RPC error code of a Writ refusal that is not a tool result (a
 * prompt, a resource): one of the codes MCP leaves to implementations
 * (-32000 to -32019), with the decision in `data`.
 */
export const WRIT_REFUSED = -32010;

function decisionMeta(decision: DenyDecision | ApprovalRequiredDecision) {
  return {
    effect: decision.effect,
    code: decision.code,
    ...(decision.approvalId === undefined ? {} : { approvalId: decision.approvalId }),
  };
}

/**
 * A refusal as MCP tool result: `isError` with the guard's model-safe message,
 * and the decision's code (and approval id, to retry once a human approved) in
 * `_meta` for clients that act on it.
 */
export function decisionResult(decision: DenyDecision | ApprovalRequiredDecision): CallToolResult {
  return {
    content: [{ type: "text", text: decision.message }],
    isError: true,
    _meta: { [WRIT_META.decision]: decisionMeta(decision) },
  };
}

/** A refusal of a request that has no result to carry it (prompts/get, resources/read …), as a JSON-RPC error. */
export function decisionError(decision: DenyDecision | ApprovalRequiredDecision): JsonRpcErrorBody {
  return {
    code: WRIT_REFUSED,
    message: decision.message,
    data: { [WRIT_META.decision]: decisionMeta(decision) },
  };
}

/** A failure that is not a decision (an upstream down, a call without a tool) as an MCP tool result. */
export function failureResult(message: string, code: WritErrorCode): CallToolResult {
  return {
    content: [{ type: "text", text: message }],
    isError: true,
    _meta: { [WRIT_META.decision]: { effect: "error", code } },
  };
}

/** The same failure for a request that is not a tool call, as a JSON-RPC error. */
export function failureError(message: string, code: WritErrorCode): JsonRpcErrorBody {
  return {
    code: WRIT_REFUSED,
    message,
    data: { [WRIT_META.decision]: { effect: "error", code } },
  };
}
