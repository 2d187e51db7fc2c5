import type { ApprovalRequiredDecision, DenyDecision, WritErrorCode } from "@writ/core";
import type { CallToolResult } from "./mcp-sdk.js";
import { WRIT_META } from "./writ-meta.js";

/**
 * A refusal as MCP tool result: `isError` with the guard's model-safe message,
 * and the decision's code (and approval id, to retry once a human approved) in
 * `_meta` for clients that act on it.
 */
export function decisionResult(decision: DenyDecision | ApprovalRequiredDecision): CallToolResult {
  return {
    content: [{ type: "text", text: decision.message }],
    isError: true,
    _meta: {
      [WRIT_META.decision]: {
        effect: decision.effect,
        code: decision.code,
        ...(decision.approvalId === undefined ? {} : { approvalId: decision.approvalId }),
      },
    },
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
