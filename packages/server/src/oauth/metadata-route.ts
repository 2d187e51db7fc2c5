import { DPOP_ALGORITHMS } from "@writ/core/backend";
import type { WritApp } from "../routes/route-context.js";

export const METADATA_PATH = "/.well-known/oauth-authorization-server";

/** RFC 8414: the authorization server's metadata. */
export function registerMetadataRoute(app: WritApp, issuer: string): void {
  app.get(METADATA_PATH, (c) => {
    c.header("cache-control", "max-age=300");
    return c.json({
      issuer,
      authorization_endpoint: `${issuer}/oauth/authorize`,
      token_endpoint: `${issuer}/oauth/token`,
      registration_endpoint: `${issuer}/oauth/register`,
      revocation_endpoint: `${issuer}/oauth/revoke`,
      response_types_supported: ["code"],
      response_modes_supported: ["query"],
      grant_types_supported: ["authorization_code", "refresh_token"],
      code_challenge_methods_supported: ["S256"],
      token_endpoint_auth_methods_supported: ["none"],
      revocation_endpoint_auth_methods_supported: ["none"],
      authorization_response_iss_parameter_supported: true,
      client_id_metadata_document_supported: true,
      dpop_signing_alg_values_supported: DPOP_ALGORITHMS,
    });
  });
}
