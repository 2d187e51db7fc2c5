import { createRoute, z } from "@hono/zod-openapi";
import { WritError } from "@writ/core";
import { withoutUndefined } from "../http/without-undefined.js";
import type { WritApp } from "../routes/route-context.js";
import { jsonContent, problemResponses } from "../schemas/common-schemas.js";
import { type TokenExchange, WRIT_TOKEN_TYPE } from "./token-exchange.js";

/** The token endpoint's path; its problems also carry RFC 6749's `error` members. */
export const TOKEN_PATH = "/oauth/token";

const param = () => z.string().max(16_384).optional();

const TokenRequestSchema = z
  .object({
    grant_type: param().openapi({ example: "urn:ietf:params:oauth:grant-type:token-exchange" }),
    subject_token: param(),
    subject_token_type: param().openapi({ example: "urn:ietf:params:oauth:token-type:id_token" }),
    actor_token: param(),
    actor_token_type: param().openapi({ example: "urn:ietf:params:oauth:token-type:jwt" }),
    requested_token_type: param(),
    grants: param().openapi({ description: "Writ extension: narrow the writ (grant text form)." }),
    code: param(),
    code_verifier: param(),
    redirect_uri: param(),
    client_id: param(),
    refresh_token: param(),
    resource: param(),
    scope: param(),
  })
  .openapi("TokenRequest");

const TokenResponseSchema = z
  .object({
    access_token: z.string(),
    issued_token_type: z.literal(WRIT_TOKEN_TYPE),
    token_type: z.literal("N_A"),
    expires_in: z.number().int(),
  })
  .openapi("TokenExchangeResponse");

const OAuthTokenResponseSchema = z
  .object({
    access_token: z.string(),
    token_type: z.enum(["Bearer", "DPoP"]).openapi({
      description:
        "DPoP when the request carried a DPoP proof (RFC 9449): the token is bound to its key.",
    }),
    expires_in: z.number().int(),
    refresh_token: z.string(),
    scope: z.string(),
  })
  .openapi("OAuthTokenResponse");

/** The authorization code and refresh token grants of the OAuth authorization server for MCP clients. */
export type CodeGrants = (
  form: Readonly<Record<string, string | undefined>>,
  dpopProof: string | undefined,
) => Promise<z.infer<typeof OAuthTokenResponseSchema>>;

/**
 * POST /oauth/token: RFC 8693 token exchange for a root writ, and for MCP
 * clients the authorization code and refresh token grants.
 */
export function registerTokenRoute(
  app: WritApp,
  exchange: TokenExchange | undefined,
  codeGrants: CodeGrants,
): void {
  app.openapi(
    createRoute({
      method: "post",
      path: TOKEN_PATH,
      tags: ["Token exchange"],
      summary:
        "Exchange a user's ID token (subject) and an agent's signed actor token for a root writ; or an authorization code or refresh token for an MCP client's access token",
      request: {
        body: {
          required: true,
          content: { "application/x-www-form-urlencoded": { schema: TokenRequestSchema } },
        },
      },
      responses: {
        200: jsonContent(
          z.union([TokenResponseSchema, OAuthTokenResponseSchema]),
          "The writ, or the MCP client's tokens",
        ),
        ...problemResponses,
      },
    }),
    async (c) => {
      c.header("cache-control", "no-store");
      c.header("pragma", "no-cache");
      const form = withoutUndefined(c.req.valid("form"));
      if (form.grant_type === "authorization_code" || form.grant_type === "refresh_token") {
        return c.json(await codeGrants(form, c.req.header("dpop")), 200);
      }
      if (!exchange) {
        throw new WritError(
          "token.unsupported",
          "Token exchange is not configured on this server (no identity providers).",
          { name: "grant_type" },
        );
      }
      return c.json(await exchange.exchange(form), 200);
    },
  );
}
