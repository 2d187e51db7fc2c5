import type { ConsoleRole } from "@writ/store";

/** How people sign in to the console with an identity provider the server trusts. */
export interface ConsoleOidcOptions {
  /** The issuer of one of `tokenExchange.identityProviders`: its client id, tenant and user claim are used. */
  readonly issuer: string;
  /** The client's secret at the provider, when it is a confidential client (PKCE is always used). */
  readonly clientSecret?: string;
  /** The console role from a claim (e.g. `groups`); a user whose claim maps to no role may not sign in unless `default` is set. */
  readonly roles: {
    readonly claim: string;
    readonly map: Readonly<Record<string, ConsoleRole>>;
    readonly default?: ConsoleRole;
  };
  /** The button's text. Default "Sign in with <issuer host>". */
  readonly label?: string;
}

export interface ConsoleOptions {
  /** Serve the console at /console. Default true. */
  readonly enabled?: boolean;
  /** How long a sign-in lasts, in seconds. Default 28,800 (8 h). */
  readonly sessionTtl?: number;
  /** Sign-in with identity providers (authorization code + PKCE). Default: API keys only. */
  readonly oidc?: readonly ConsoleOidcOptions[];
}
