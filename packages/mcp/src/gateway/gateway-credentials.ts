import type { AllowDecision } from "@writ/core";

/**
 * Where the gateway gets a user's provider token for an upstream that calls a
 * third-party API as the user: `@writ/broker`'s CredentialBroker fits it, and
 * the gateway depends on nothing more than this.
 */
export interface GatewayCredentials {
  /** Providers the broker knows, checked against the upstreams that name one. */
  readonly providers: readonly string[];
  /** The user's token for `provider`, scoped to the allowed call's action; only inside that call. */
  getAccessToken(
    decision: AllowDecision,
    provider: string,
  ): Promise<{ readonly authorization: string }>;
}
