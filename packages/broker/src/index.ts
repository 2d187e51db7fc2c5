// The broker

export { ProviderAccessToken } from "@writ/core";
export type {
  CompleteConnectInput,
  StartConnectInput,
  StartedConnect,
} from "./connect-flow.js";
export type { ConnectionInfo } from "./connection-info.js";
export {
  CredentialBroker,
  type CredentialBrokerOptions,
  createCredentialBroker,
  type Disconnected,
} from "./credential-broker.js";
// Keys
export {
  CredentialKeyring,
  type CredentialKeyringOptions,
  type KeyEncryptionKey,
} from "./credential-keyring.js";
export { KEK_VARIABLE, keyringFromEnvironment } from "./keyring-from-environment.js";
// Providers
export type { OAuthProviderOptions } from "./oauth-provider-options.js";
export type { ScopeTable } from "./scope-translation.js";
