import { createRoute, z } from "@hono/zod-openapi";
import type { CredentialBroker } from "@writ/broker";
import type { Caller } from "../auth/caller.js";
import {
  jsonBody,
  jsonContent,
  ProblemSchema,
  problemResponses,
} from "../schemas/common-schemas.js";
import {
  CompleteConnectSchema,
  ConnectionParamsSchema,
  ConnectionSchema,
  DisconnectedSchema,
  DisconnectQuerySchema,
  StartConnectSchema,
  StartedConnectSchema,
} from "../schemas/connection-schemas.js";
import {
  assertVisible,
  notFound,
  requireOperator,
  requireScope,
} from "../tenancy/tenant-access.js";
import { idParams } from "./path-params.js";
import { API_KEY_SECURITY, type RouteContext, type WritApp } from "./route-context.js";

const tags = ["Provider connections"];
const security = API_KEY_SECURITY;
/** A provider that answered wrongly: the only route family that reports a bad gateway. */
const responses = {
  ...problemResponses,
  502: {
    description: "The provider answered in a way the broker cannot use",
    content: { "application/problem+json": { schema: ProblemSchema } },
  },
};

/**
 * Users' OAuth connections to downstream providers, through the credential
 * broker: your application (an admin key of the user's tenant) starts a
 * connect flow and sends the user's browser to the provider; the provider
 * redirects the browser back to your application, which hands the callback
 * to the server for the user it has signed in. Tokens never leave the
 * server here: tools get them from the broker inside allowed calls.
 */
export function registerConnectionRoutes(
  app: WritApp,
  { store }: RouteContext,
  broker: CredentialBroker,
): void {
  /** The user, if the caller may act for them. */
  async function visibleUser(caller: Caller, id: string): Promise<{ tenant?: string }> {
    requireScope(caller, "admin");
    const user = await store.getUser(id);
    if (!user) throw notFound("user", id);
    assertVisible(caller, user.tenant, "user", id);
    return user;
  }

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/users/{id}/connections",
      tags,
      security,
      summary: "The user's provider connections (never their tokens)",
      request: { params: idParams("id") },
      responses: {
        200: jsonContent(
          z.object({ connections: z.array(ConnectionSchema).readonly() }),
          "Connections",
        ),
        ...responses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      await visibleUser(c.get("caller"), id);
      return c.json({ connections: await broker.listConnections(id) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/users/{id}/connections/{provider}",
      tags,
      security,
      summary:
        "Start connecting the user to a provider: the authorization URL (code flow, PKCE, single-use state)",
      request: { params: ConnectionParamsSchema, body: jsonBody(StartConnectSchema) },
      responses: { 200: jsonContent(StartedConnectSchema, "Where to send the user"), ...responses },
    }),
    async (c) => {
      const { id, provider } = c.req.valid("param");
      const user = await visibleUser(c.get("caller"), id);
      const { actions } = c.req.valid("json");
      c.header("cache-control", "no-store");
      return c.json(
        await broker.startConnect({
          user: id,
          provider,
          ...(user.tenant === undefined ? {} : { tenant: user.tenant }),
          ...(actions === undefined ? {} : { actions }),
        }),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/users/{id}/connections/{provider}/callback",
      tags,
      security,
      summary:
        "Finish connecting from the provider's callback, for the user your application signed in",
      request: { params: ConnectionParamsSchema, body: jsonBody(CompleteConnectSchema) },
      responses: { 200: jsonContent(ConnectionSchema, "The connection"), ...responses },
    }),
    async (c) => {
      const { id, provider } = c.req.valid("param");
      await visibleUser(c.get("caller"), id);
      const { callback } = c.req.valid("json");
      return c.json(await broker.completeConnect({ provider, user: id, callback }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/users/{id}/connections/{provider}",
      tags,
      security,
      summary: "Disconnect: revoke the tokens at the provider (RFC 7009), then delete",
      request: { params: ConnectionParamsSchema, query: DisconnectQuerySchema },
      responses: { 200: jsonContent(DisconnectedSchema, "What was done"), ...responses },
    }),
    async (c) => {
      const { id, provider } = c.req.valid("param");
      await visibleUser(c.get("caller"), id);
      const force = c.req.valid("query").force === "true";
      return c.json(await broker.disconnect({ user: id, provider, force }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/credentials/rewrap",
      tags,
      security,
      summary:
        "Re-wrap every stored credential under the broker's active key-encryption key (operator keys only)",
      responses: {
        200: jsonContent(z.object({ count: z.number().int() }), "How many were re-wrapped"),
        ...responses,
      },
    }),
    async (c) => {
      requireOperator(c.get("caller"));
      return c.json(await broker.rewrap(), 200);
    },
  );
}
