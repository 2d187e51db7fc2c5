import type { CallToolResult } from "./mcp-types.js";

/** An `isError` result: how an MCP tool reports a failure, recorded as a failed outcome. */
export function isErrorResult(result: CallToolResult): boolean {
  return result.isError === true;
}
