import { cors } from "hono/cors";
import type { OidcSignIn } from "../console/oidc-sign-in.js";
import type { WritApp } from "../routes/route-context.js";
import type { WritStore } from "../writ-store.js";
import { registerAuthorizeRoute } from "./authorize-route.js";
import { codeGrants, type OAuthTokenGrants } from "./code-grants.js";
import { registerConsentRoutes } from "./consent-routes.js";
import { METADATA_PATH, registerMetadataRoute } from "./metadata-route.js";
import { createOAuthContext } from "./oauth-context.js";
import type { OAuthServerOptions } from "./oauth-options.js";
import { registerRegistrationRoute } from "./registration-route.js";
import { registerRevocationRoute } from "./revocation-route.js";
import { registerSignInRoutes } from "./sign-in-routes.js";

export type { OAuthTokenGrants } from "./code-grants.js";

/**
 * The authorization server for MCP gateways: RFC 8414 metadata, RFC 7591
 * registration, the authorization endpoint with PKCE (S256 only) and RFC
 * 8707 resources, sign-in through the console's identity providers, the
 * consent page, RFC 9207 `iss` on every answer, RFC 7009 revocation. Returns
 * the token endpoint's grants (served at /oauth/token with token exchange).
 */
export function registerOAuthRoutes(
  app: WritApp,
  options: {
    readonly oauth: OAuthServerOptions;
    readonly store: WritStore;
    readonly providers: readonly OidcSignIn[];
    readonly clock: () => number;
  },
): OAuthTokenGrants {
  const ctx = createOAuthContext(options);
  // Browser-based MCP clients read the metadata and call these endpoints from another origin.
  for (const path of [METADATA_PATH, "/oauth/register", "/oauth/revoke", "/oauth/token"]) {
    app.use(path, cors({ origin: "*", allowMethods: ["GET", "POST"], maxAge: 600 }));
  }
  registerMetadataRoute(app, ctx.settings.issuer);
  registerRegistrationRoute(app, ctx.clients);
  registerAuthorizeRoute(app, ctx);
  registerSignInRoutes(app, ctx);
  registerConsentRoutes(app, ctx);
  registerRevocationRoute(app, ctx);
  return codeGrants(ctx);
}
