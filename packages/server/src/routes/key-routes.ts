import { createRoute, z } from "@hono/zod-openapi";
import type { IssuerKeyStatus } from "@writ/core";
import { jsonContent, problemResponses } from "../schemas/common-schemas.js";
import { IssuerKeysSchema, JwksSchema } from "../schemas/directory-schemas.js";
import { requireOperator, requireScope } from "../tenancy/tenant-access.js";
import { API_KEY_SECURITY, type RouteContext, type WritApp } from "./route-context.js";

const tags = ["Issuer keys"];
const security = API_KEY_SECURITY;

/** The issuer's signing keys: published at /.well-known/jwks.json, rotated and retired by operators. */
export function registerKeyRoutes(app: WritApp, { store }: RouteContext): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/.well-known/jwks.json",
      tags,
      summary: "The issuer's public keys, for verifiers that pin the issuer",
      responses: { 200: jsonContent(JwksSchema, "JWK Set"), ...problemResponses },
    }),
    async (c) => {
      c.header("cache-control", "public, max-age=60");
      return c.json(await store.issuerJwks(), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/keys",
      tags,
      security,
      summary: "The issuer id and its keys that verify, with their status",
      responses: { 200: jsonContent(IssuerKeysSchema, "Issuer keys"), ...problemResponses },
    }),
    async (c) => {
      requireScope(c.get("caller"), "guard");
      const issuer = await store.issuerKeys();
      const keys = issuer.jwks().keys.map((jwk) => ({
        kid: jwk.kid as string,
        status: issuer.statusOf(jwk.kid as string) as IssuerKeyStatus,
        jwk,
      }));
      return c.json({ issuer: issuer.issuer, keys }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/keys/rotate",
      tags,
      security,
      summary: "Rotate the issuer key (operator keys only); the old key keeps verifying",
      responses: {
        200: jsonContent(z.object({ kid: z.string() }), "The new key id"),
        ...problemResponses,
      },
    }),
    async (c) => {
      requireOperator(c.get("caller"));
      return c.json({ kid: await store.rotateIssuerKey() }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/keys/{kid}/retire",
      tags,
      security,
      summary: "Retire a rotated-out issuer key (operator keys only): its writs stop verifying",
      request: {
        params: z.object({
          kid: z
            .string()
            .min(1)
            .max(64)
            .openapi({ param: { name: "kid", in: "path" } }),
        }),
      },
      responses: {
        200: jsonContent(z.object({ kid: z.string() }), "The retired key id"),
        ...problemResponses,
      },
    }),
    async (c) => {
      requireOperator(c.get("caller"));
      const { kid } = c.req.valid("param");
      await store.retireIssuerKey(kid);
      return c.json({ kid }, 200);
    },
  );
}
