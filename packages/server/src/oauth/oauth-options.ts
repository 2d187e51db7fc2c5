import type { Ed25519PublicJwk } from "@writ/core";
import type { GrantsInput } from "@writ/core/backend";

/** An MCP gateway this server issues access tokens for. */
export interface OAuthResource {
  /** The gateway's MCP URL, exactly as its protected resource metadata says (`resource`). */
  readonly resource: string;
  /**
   * The gateway's public key (its `signingKey`, the key in its JWKS): the
   * writs its access tokens refer to end in a hop bound to it, so only that
   * gateway can use them. It is registered as the key of the gateway's agent.
   */
  readonly key: Ed25519PublicJwk;
}

/**
 * The Writ server as the OAuth authorization server of MCP gateways (the MCP
 * authorization spec): stock MCP clients register (Dynamic Client
 * Registration) or name themselves by a Client ID Metadata Document, a person
 * signs in through an identity provider of `console.oidc` and consents, and
 * the client gets short-lived access tokens for a gateway.
 */
export interface OAuthServerOptions {
  /** The issuer identifier: this server's public URL (https; http only on loopback). */
  readonly issuer: string;
  /** The gateways tokens are issued for; a client names one with RFC 8707's `resource`. */
  readonly resources: readonly OAuthResource[];
  /** Lifetime of access tokens (and the writs they refer to), in seconds. Default 300, at most 900. */
  readonly accessTokenTtl?: number;
  /** How long a refresh token family lasts from the consent, in seconds. Default 2,592,000 (30 days). */
  readonly refreshTokenTtl?: number;
  /**
   * The policy of a client's agent created at its first consent. Default: the
   * grants that consent approves. Administrators change it like any agent's.
   */
  readonly clientPolicy?: GrantsInput;
  /**
   * The policy of each gateway's agent (`mcp-gateway-…`), created at its first
   * client: what any OAuth client may do through it. Default `*`: the user
   * and each client's policy decide.
   */
  readonly gatewayPolicy?: GrantsInput;
  /** Client ID Metadata Documents: fetched over https from public addresses only. */
  readonly clientMetadataDocuments?: {
    /** Fetch documents from loopback and private addresses, and over http: for tests and development only. Default false. */
    readonly allowPrivateAddresses?: boolean;
  };
}
