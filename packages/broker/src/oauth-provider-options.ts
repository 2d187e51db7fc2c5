import type { ScopeTable } from "./scope-translation.js";

/** A downstream OAuth 2.0 / OpenID Connect provider whose tokens the broker holds for users. */
export interface OAuthProviderOptions {
  /** How tools and the API name it (`google`, `github`…): 1–64 of a–z, 0–9, `.`, `_`, `-`. */
  readonly id: string;
  /**
   * The issuer identifier: its discovery document gives the endpoints (see
   * `discovery`). With `endpoints`, nothing is discovered and the issuer only
   * checks the `iss` of authorization responses (RFC 9207); it then defaults
   * to the token endpoint's origin.
   */
  readonly issuer?: string;
  /** Which well-known document `issuer` is discovered from. Default `"oidc"` (OpenID Connect Discovery); `"oauth2"` is RFC 8414. */
  readonly discovery?: "oidc" | "oauth2";
  /** Explicit endpoints, for a provider without a discovery document (used instead of discovery). */
  readonly endpoints?: {
    readonly authorization: string;
    readonly token: string;
    /** RFC 7009. Without it, disconnecting only forgets the tokens. */
    readonly revocation?: string;
  };
  readonly clientId: string;
  /** The client secret. Without one the broker is a public client (PKCE only). */
  readonly clientSecret?: string;
  /** Default `client_secret_basic` with a secret, `none` without. */
  readonly clientAuthentication?: "client_secret_basic" | "client_secret_post" | "none";
  /**
   * Where the provider sends the user back: your application's callback,
   * which hands the query to the broker (`completeConnect`) for the user it
   * has signed in. Registered with the provider as is.
   */
  readonly redirectUri: string;
  /** Provider scopes per Writ action: a call gets a token with exactly its action's scopes. */
  readonly scopes: ScopeTable;
  /**
   * Scopes asked for when connecting besides those of the table, e.g.
   * `offline_access` where the provider gives refresh tokens only for it.
   * Never put in a call's token. Default none.
   */
  readonly connectScopes?: readonly string[];
  /** RFC 8707 resource indicator: the API the tokens are for, sent on every authorization and token request. */
  readonly resource?: string;
  /**
   * Extra authorization request parameters the provider needs (Google's
   * `access_type: "offline"`, `prompt: "consent"`). Cannot override the
   * parameters the broker sets itself.
   */
  readonly authorizationParameters?: Readonly<Record<string, string>>;
  /** Allow `http:` endpoints: for local development and tests only. Default false. */
  readonly allowInsecureHttp?: boolean;
}
