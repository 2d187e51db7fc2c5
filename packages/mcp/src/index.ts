/**
 * @writ/mcp, grouped by where Writ sits:
 * - server/: guardMcpServer guards an MCP server in the same process;
 * - client/: withWrit, connectWithWrit and writFetch make an MCP client carry a writ and sign proofs;
 * - gateway/: createGateway puts a guard in front of existing MCP servers.
 * shared/ holds what more than one of them needs (the SDK seam, `_meta` carriage, refusals as results).
 */

// Shared
/** How tools map to actions (a table or a function): `ToolActions` from @writ/core. */
export type { ToolActions as ActionMap } from "@writ/core";
// Client helpers
export { type ConnectWithWritOptions, connectWithWrit } from "./client/connect-with-writ.js";
export { type WithWritOptions, withWrit } from "./client/with-writ.js";
export { type WritFetchOptions, writFetch } from "./client/writ-fetch.js";
// The gateway
export { createGateway, type Gateway } from "./gateway/create-gateway.js";
export type { ActorClaim, DownstreamSubject } from "./gateway/downstream-tokens.js";
export type { GatewayCredentials } from "./gateway/gateway-credentials.js";
export type { GatewayEvent } from "./gateway/gateway-event.js";
export type {
  GatewayOptions,
  HttpUpstreamConfig,
  StdioUpstreamConfig,
  UpstreamConfig,
} from "./gateway/gateway-options.js";
export type { AuthorizationServerTrust } from "./gateway/oauth-access-token.js";
export type { ProtectedResourceMetadata } from "./gateway/protected-resource-metadata.js";
export type { UpstreamStatus } from "./gateway/upstream.js";
// The in-process server guard
export { allowedCall } from "./server/allowed-call.js";
export { type GuardMcpServerOptions, guardMcpServer } from "./server/guard-mcp-server.js";
export type { McpClientLike, McpServerLike } from "./shared/mcp-sdk.js";
export { WRIT_META } from "./shared/writ-meta.js";
