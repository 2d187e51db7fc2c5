import { createRoute, z } from "@hono/zod-openapi";
import { TOKEN_PATH } from "../exchange/token-route.js";
import { jsonContent, problemResponses } from "../schemas/common-schemas.js";
import type { RouteContext, WritApp } from "./route-context.js";

const ConfigurationSchema = z
  .object({
    issuer: z
      .string()
      .openapi({ description: "The issuer id root writs carry (`iss`); guards pin it." }),
    audience: z.string().openapi({ description: "The audience agent tokens must name." }),
    jwks_uri: z.string(),
    token_endpoint: z.string(),
    live_endpoint: z.string(),
    openapi: z.string(),
  })
  .openapi("WritConfiguration");

const HealthSchema = z
  .object({ ok: z.boolean(), seq: z.number().int(), subscribers: z.number().int() })
  .openapi("Health");

/** What a client needs to find everything else, and whether the server's live state is healthy. */
export function registerDiscoveryRoutes(
  app: WritApp,
  { store, hub, audience }: RouteContext,
): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/.well-known/writ-configuration",
      tags: ["Discovery"],
      summary: "The issuer id, audience and endpoints of this server (paths relative to it)",
      responses: { 200: jsonContent(ConfigurationSchema, "Configuration"), ...problemResponses },
    }),
    async (c) =>
      c.json(
        {
          issuer: (await store.issuerKeys()).issuer,
          audience,
          jwks_uri: "/.well-known/jwks.json",
          token_endpoint: TOKEN_PATH,
          live_endpoint: "/v1/live",
          openapi: "/openapi.json",
        },
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/healthz",
      tags: ["Discovery"],
      summary: "200 while the live state from the store is healthy, 503 when it is not",
      responses: {
        200: jsonContent(HealthSchema, "Healthy"),
        503: jsonContent(HealthSchema, "The live feed from the store is down"),
      },
    }),
    (c) => {
      const body = { ok: hub.healthy, seq: hub.seq, subscribers: hub.subscribers };
      return hub.healthy ? c.json(body, 200) : c.json(body, 503);
    },
  );
}
