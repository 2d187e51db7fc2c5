// The remote backend guards run on

export {
  ACTOR_TOKEN_TYPE,
  AGENT_REQUEST_TYPE,
  type AgentTokenOptions,
  createActorToken,
  signAgentRequest,
} from "./agent-tokens.js";
// Agents: token exchange and signed requests
export { type ExchangeTokenOptions, exchangeToken } from "./exchange-token.js";
export { fetchIssuerKeys, type RemoteIssuerKeys } from "./fetch-issuer-keys.js";
export type { RemoteOptions } from "./http-transport.js";

// Administration over HTTP
export {
  type IssuerKeyInfo,
  RemoteAdmin,
  type RemoteStoreAdmin,
  remoteAdmin,
} from "./remote-admin.js";
export { RemoteBackend, type RemoteBackendOptions, remoteBackend } from "./remote-backend.js";
// Provider tokens from the server's credential broker
export {
  RemoteCredentials,
  type RemoteCredentialsOptions,
  remoteCredentials,
} from "./remote-credentials.js";
export type { RemoteLiveFeedOptions } from "./remote-live-feed.js";
