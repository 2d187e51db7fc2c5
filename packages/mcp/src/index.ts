/**
 * @writ/mcp: guardMcpServer (in-process), withWrit and connectWithWrit
 * (clients), createGateway (in front of existing MCP servers).
 */
export { type ConnectWithWritOptions, connectWithWrit } from "./connect-with-writ.js";
export { createGateway, type Gateway } from "./create-gateway.js";
export type { ActorClaim, DownstreamSubject } from "./downstream-tokens.js";
export type { GatewayCredentials } from "./gateway-credentials.js";
export type { GatewayEvent } from "./gateway-event.js";
export type {
  GatewayOptions,
  HttpUpstreamConfig,
  StdioUpstreamConfig,
  UpstreamConfig,
} from "./gateway-options.js";
export { type GuardMcpServerOptions, guardMcpServer } from "./guard-mcp-server.js";
export type { ProtectedResourceMetadata } from "./protected-resource-metadata.js";
export type { ActionMap } from "./tool-actions.js";
export { type WithWritOptions, withWrit } from "./with-writ.js";
export { WRIT_META } from "./writ-meta.js";
