// The server

// API keys (kept in the store; re-exported here for servers given keys directly)
export {
  API_KEY_SCOPES,
  type ApiKeyRecord,
  type ApiKeyScope,
  type CreatedApiKey,
  createApiKey,
  parseApiKey,
} from "@writ/store";
export { ACTOR_TOKEN_TYPE, AGENT_REQUEST_TYPE } from "./auth/agent-token-verifier.js";
export type { ApiKeySource } from "./auth/api-key-verifier.js";
// The console
export type { ConsoleOidcOptions, ConsoleOptions } from "./console/console-options.js";
export {
  createWritServer,
  type ListeningWritServer,
  type ListenOptions,
  type WritServer,
  type WritServerOptions,
} from "./create-writ-server.js";
// Token exchange
export type { ClaimsMapping } from "./exchange/claims-mapping.js";
export type { IdentityProviderOptions } from "./exchange/identity-provider.js";
export {
  TOKEN_EXCHANGE_GRANT,
  type TokenExchangeOptions,
  WRIT_TOKEN_TYPE,
} from "./exchange/token-exchange.js";
export { TOKEN_PATH } from "./exchange/token-route.js";
export type { ProblemDetails } from "./http/problem-details.js";
// The OAuth authorization server for MCP gateways
export type { OAuthResource, OAuthServerOptions } from "./oauth/oauth-options.js";
// Limits and problems
export type { RateLimit } from "./http/rate-limiter.js";
export type { LiveEvent } from "./live/live-event.js";
export type { WritStore } from "./writ-store.js";
