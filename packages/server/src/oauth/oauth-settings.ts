import { jwkThumbprint } from "@writ/core";
import type { OAuthResource, OAuthServerOptions } from "./oauth-options.js";

/** The OAuth options, checked once. */
export type OAuthSettings = ReturnType<typeof checkOAuthOptions>;

/** Checks the options once: an issuer URL without a path, gateways with Ed25519 keys, lifetimes. */
export function checkOAuthOptions(options: OAuthServerOptions) {
  const issuer = options?.issuer;
  if (
    typeof issuer !== "string" ||
    !URL.canParse(issuer) ||
    (new URL(issuer).pathname !== "/" && new URL(issuer).pathname !== "")
  ) {
    throw new TypeError(
      "oauth.issuer must be this server's public URL, without a path (https://writ.example.com).",
    );
  }
  const url = new URL(issuer);
  if (url.protocol !== "https:" && !["127.0.0.1", "[::1]", "localhost"].includes(url.hostname)) {
    throw new TypeError(
      "oauth.issuer must be an https URL (http only on loopback, for development).",
    );
  }
  if (!Array.isArray(options.resources) || options.resources.length === 0) {
    throw new TypeError(
      "oauth.resources must list the MCP gateways tokens are issued for: { resource, key }.",
    );
  }
  for (const entry of options.resources) {
    if (typeof entry?.resource !== "string" || !URL.canParse(entry.resource)) {
      throw new TypeError("Each of oauth.resources needs resource: the gateway's MCP URL.");
    }
    jwkThumbprint(entry.key);
  }
  const accessTokenTtl = options.accessTokenTtl ?? 300;
  if (!Number.isInteger(accessTokenTtl) || accessTokenTtl < 30 || accessTokenTtl > 900) {
    throw new TypeError("oauth.accessTokenTtl is a whole number of seconds from 30 to 900.");
  }
  const refreshTokenTtl = options.refreshTokenTtl ?? 2_592_000;
  if (!Number.isInteger(refreshTokenTtl) || refreshTokenTtl < accessTokenTtl) {
    throw new TypeError(
      "oauth.refreshTokenTtl is a whole number of seconds, at least accessTokenTtl.",
    );
  }
  return {
    issuer: url.origin,
    resources: new Map<string, OAuthResource>(
      options.resources.map((entry) => [entry.resource, entry]),
    ) as ReadonlyMap<string, OAuthResource>,
    accessTokenTtl,
    refreshTokenTtl,
    clientPolicy: options.clientPolicy,
    gatewayPolicy: options.gatewayPolicy,
  };
}
