import { createRoute } from "@hono/zod-openapi";
import type { CredentialBroker } from "@writ/broker";
import { verifyRecordedCall } from "../credentials/recorded-call.js";
import { jsonBody, jsonContent, problemResponses } from "../schemas/common-schemas.js";
import { AccessTokenRequestSchema, AccessTokenSchema } from "../schemas/connection-schemas.js";
import { requireScope } from "../tenancy/tenant-access.js";
import { API_KEY_SECURITY, type RouteContext, type WritApp } from "./route-context.js";

/**
 * A provider token for a call a remote guard allowed (`remoteCredentials()`
 * of @writ/client): handed out only for an allowed call that is still
 * running, recent and live, as the ledger and live state show it, in the
 * caller's tenant. The token is in the answer only (no-store), never in a
 * log or a ledger row; the broker records refreshes as it does in-process.
 */
export function registerCredentialTokenRoute(
  app: WritApp,
  { store, hub }: RouteContext,
  broker: CredentialBroker,
): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/credentials/access-token",
      tags: ["Provider connections"],
      security: API_KEY_SECURITY,
      summary: "A user's provider token for an allowed call of a remote guard (guard keys)",
      request: { body: jsonBody(AccessTokenRequestSchema) },
      responses: { 200: jsonContent(AccessTokenSchema, "The token"), ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "guard");
      const { callId, eventId, provider } = c.req.valid("json");
      const call = await verifyRecordedCall(store, hub, caller, { callId, eventId });
      const token = await broker.getAccessTokenForVerifiedCall(call, provider);
      c.header("cache-control", "no-store");
      return c.json({ ...token.toJSON(), value: token.value }, 200);
    },
  );
}
