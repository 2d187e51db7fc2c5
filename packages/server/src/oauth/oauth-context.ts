import type { OidcSignIn } from "../console/oidc-sign-in.js";
import type { WritStore } from "../writ-store.js";
import { ClientMetadataDocuments } from "./client-metadata-documents.js";
import { ClientWrits } from "./client-writs.js";
import { type OAuthClient, OAuthClients } from "./oauth-clients.js";
import type { OAuthServerOptions } from "./oauth-options.js";
import { checkOAuthOptions, type OAuthSettings } from "./oauth-settings.js";
import { OAuthTokens } from "./oauth-tokens.js";
import { PendingAuthorizations } from "./pending-authorizations.js";

/** What the authorization server's endpoints share. */
export interface OAuthContext {
  readonly store: WritStore;
  readonly providers: readonly OidcSignIn[];
  readonly clock: () => number;
  readonly settings: OAuthSettings;
  readonly clients: OAuthClients;
  /** A registered client, or one described by its metadata document (undefined when neither). */
  readonly clientFor: (clientId: string) => Promise<OAuthClient | undefined>;
  readonly pending: PendingAuthorizations;
  readonly writs: ClientWrits;
  readonly tokens: OAuthTokens;
}

/** Checks the options and builds what the endpoints share, on the store's OAuth state. */
export function createOAuthContext(options: {
  readonly oauth: OAuthServerOptions;
  readonly store: WritStore;
  readonly providers: readonly OidcSignIn[];
  readonly clock: () => number;
}): OAuthContext {
  const { store, providers, clock } = options;
  const settings = checkOAuthOptions(options.oauth);
  const clients = new OAuthClients(store.oauthState, clock);
  const documents = new ClientMetadataDocuments({
    allowPrivateAddresses: options.oauth.clientMetadataDocuments?.allowPrivateAddresses === true,
    clock,
  });
  const writs = new ClientWrits(store, settings.gatewayPolicy);
  return {
    store,
    providers,
    clock,
    settings,
    clients,
    clientFor: async (clientId) =>
      (await clients.find(clientId)) ??
      (ClientMetadataDocuments.names(clientId) ? documents.resolve(clientId) : undefined),
    pending: new PendingAuthorizations(store.oauthState, clock),
    writs,
    tokens: new OAuthTokens({
      store,
      writs,
      issuer: settings.issuer,
      resources: settings.resources,
      accessTtl: settings.accessTokenTtl,
      refreshTtl: settings.refreshTokenTtl,
      clock,
    }),
  };
}
