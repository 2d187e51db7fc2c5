import { createRoute, z } from "@hono/zod-openapi";
import type { Ed25519PublicJwk } from "@writ/core";
import { withoutUndefined } from "../http/without-undefined.js";
import {
  jsonBody,
  jsonContent,
  listBody,
  listSchema,
  problemResponses,
  RemovedSchema,
} from "../schemas/common-schemas.js";
import {
  AgentKeySchema,
  AgentSchema,
  DirectoryQuerySchema,
  PolicyBodySchema,
  PublicJwkInputSchema,
  PutAgentSchema,
} from "../schemas/directory-schemas.js";
import { grantsFrom } from "../schemas/grant-schemas.js";
import { assertWritable } from "../tenancy/assert-writable.js";
import {
  assertVisible,
  notFound,
  requireOperator,
  requireScope,
  writeTenant,
} from "../tenancy/tenant-access.js";
import { idParams, listTenant } from "./path-params.js";
import { API_KEY_SECURITY, type RouteContext, type WritApp } from "./route-context.js";

const tags = ["Agents"];
const security = API_KEY_SECURITY;

/** Agents, their policies (the grants they may ever use) and their public keys. */
export function registerAgentRoutes(app: WritApp, { store }: RouteContext): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/agents",
      tags,
      security,
      summary: "List agents (a tenant's key: its tenant's)",
      request: { query: DirectoryQuerySchema },
      responses: {
        200: jsonContent(listSchema("agents", AgentSchema, "AgentList"), "The agents"),
        ...problemResponses,
      },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "read");
      const { tenant, ...page } = c.req.valid("query");
      const listed = await store.listAgents({
        ...listTenant(caller, tenant),
        ...withoutUndefined(page),
      });
      return c.json(listBody("agents", listed), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/agents/{id}",
      tags,
      security,
      summary: "Get an agent",
      request: { params: idParams("id") },
      responses: { 200: jsonContent(AgentSchema, "The agent"), ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "read");
      const { id } = c.req.valid("param");
      return c.json(await visibleAgent(caller, id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/v1/agents/{id}",
      tags,
      security,
      summary: "Create or replace an agent's policy, registering any keys given",
      request: { params: idParams("id"), body: jsonBody(PutAgentSchema) },
      responses: { 200: jsonContent(AgentSchema, "The agent as stored"), ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "admin");
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      if (body.shared) requireOperator(caller, "A shared agent serves every tenant");
      const tenant = writeTenant(caller, body.tenant);
      assertWritable(caller, await store.getAgent(id), "agent", id);
      const agent = await store.putAgent({
        id,
        ...(tenant === undefined ? {} : { tenant }),
        ...(body.shared === undefined ? {} : { shared: body.shared }),
        policy: grantsFrom(body.policy),
        // Checked by core's importPublicKey in the store: Ed25519 public keys only, never private.
        ...(body.keys === undefined ? {} : { keys: body.keys as unknown as Ed25519PublicJwk[] }),
      });
      return c.json(agent, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/v1/agents/{id}/policy",
      tags,
      security,
      summary: "Replace an agent's policy; guards enforce it on writs already issued",
      request: { params: idParams("id"), body: jsonBody(PolicyBodySchema) },
      responses: { 200: jsonContent(AgentSchema, "The agent as stored"), ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "admin");
      const { id } = c.req.valid("param");
      await visibleAgent(caller, id);
      return c.json(await store.setAgentPolicy(id, grantsFrom(c.req.valid("json").policy)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/agents/{id}",
      tags,
      security,
      summary: "Remove an agent",
      request: { params: idParams("id") },
      responses: {
        200: jsonContent(RemovedSchema, "Whether an agent was removed"),
        ...problemResponses,
      },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "admin");
      const { id } = c.req.valid("param");
      const agent = await store.getAgent(id);
      if (agent) assertVisible(caller, agent.tenant, "agent", id);
      return c.json({ removed: agent ? await store.removeAgent(id) : false }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/agents/{id}/keys",
      tags,
      security,
      summary: "Register another public key for an agent",
      request: {
        params: idParams("id"),
        body: jsonBody(z.object({ jwk: PublicJwkInputSchema })),
      },
      responses: { 200: jsonContent(AgentKeySchema, "The registered key"), ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "admin");
      const { id } = c.req.valid("param");
      await visibleAgent(caller, id);
      const jwk = c.req.valid("json").jwk as unknown as Ed25519PublicJwk;
      return c.json(await store.addAgentKey(id, jwk), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/agents/{id}/keys/{thumbprint}",
      tags,
      security,
      summary: "Remove one of an agent's keys",
      request: {
        params: idParams("id").extend({
          thumbprint: z
            .string()
            .min(1)
            .max(64)
            .openapi({ param: { name: "thumbprint", in: "path" } }),
        }),
      },
      responses: {
        200: jsonContent(RemovedSchema, "Whether the key was removed"),
        ...problemResponses,
      },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "admin");
      const { id, thumbprint } = c.req.valid("param");
      await visibleAgent(caller, id);
      return c.json({ removed: await store.removeAgentKey(id, thumbprint) }, 200);
    },
  );

  async function visibleAgent(caller: Parameters<typeof assertVisible>[0], id: string) {
    const agent = await store.getAgent(id);
    if (!agent) throw notFound("agent", id);
    assertVisible(caller, agent.tenant, "agent", id);
    return agent;
  }
}
