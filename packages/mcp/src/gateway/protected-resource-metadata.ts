import { DPOP_ALGORITHMS } from "@writ/core/backend";

/** RFC 9728 Protected Resource Metadata, as the MCP authorization spec asks a server to publish. */
export interface ProtectedResourceMetadata {
  readonly resource: string;
  readonly authorization_servers?: readonly string[];
  readonly jwks_uri: string;
  readonly bearer_methods_supported: readonly string[];
  readonly resource_name: string;
  readonly dpop_signing_alg_values_supported: readonly string[];
  readonly dpop_bound_access_tokens_required: boolean;
}

/** Where RFC 9728 §3.1 places the metadata of a resource: the well-known path, then the resource's path. */
export function protectedResourceMetadataPaths(resource: URL): readonly string[] {
  const base = "/.well-known/oauth-protected-resource";
  return resource.pathname === "/" ? [base] : [base, `${base}${resource.pathname}`];
}

export function protectedResourceMetadata(options: {
  readonly resource: string;
  readonly jwksUri: string;
  readonly authorizationServers?: readonly string[];
  readonly acceptsBearer: boolean;
}): ProtectedResourceMetadata {
  return {
    resource: options.resource,
    ...(options.authorizationServers && options.authorizationServers.length > 0
      ? { authorization_servers: options.authorizationServers }
      : {}),
    jwks_uri: options.jwksUri,
    bearer_methods_supported: ["header"],
    resource_name: "Writ MCP gateway",
    // Writs are DPoP-bound: every tool call carries a proof signed by the writ's leaf key
    // (EdDSA); the authorization server's DPoP-bound access tokens take any of its algorithms.
    dpop_signing_alg_values_supported: options.acceptsBearer ? DPOP_ALGORITHMS : ["EdDSA"],
    // With an authorization server, its bearer access tokens are accepted too.
    dpop_bound_access_tokens_required: !options.acceptsBearer,
  };
}
