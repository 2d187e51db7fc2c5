import { createRoute } from "@hono/zod-openapi";
import type { Writ } from "@writ/core";
import { jsonBody, jsonContent, problemResponses } from "../schemas/common-schemas.js";
import { grantsFrom } from "../schemas/grant-schemas.js";
import { IssuedWritSchema, IssueSchema } from "../schemas/writ-schemas.js";
import { assertVisible, notFound, requireScope } from "../tenancy/tenant-access.js";
import { API_KEY_SECURITY, type RouteContext, type WritApp } from "./route-context.js";

/** Issues root writs for applications holding an admin API key. */
export function registerWritRoutes(app: WritApp, { store }: RouteContext): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/writs",
      tags: ["Writs"],
      security: API_KEY_SECURITY,
      summary:
        "Issue a root writ: the user's current permissions ∩ the agent's policy, optionally narrowed",
      request: { body: jsonBody(IssueSchema) },
      responses: { 200: jsonContent(IssuedWritSchema, "The writ"), ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "admin");
      const body = c.req.valid("json");
      if (caller.tenant !== undefined) {
        const [user, agent] = await Promise.all([
          store.getUser(body.user),
          store.getAgent(body.agent),
        ]);
        if (!user) throw notFound("user", body.user);
        assertVisible(caller, user.tenant, "user", body.user);
        if (!agent) throw notFound("agent", body.agent);
        assertVisible(caller, agent.tenant, "agent", body.agent);
      }
      const writ = await store.issue({
        user: body.user,
        agent: body.agent,
        ...(body.key === undefined ? {} : { key: body.key }),
        ...(body.grants === undefined ? {} : { grants: grantsFrom(body.grants) }),
        ...(body.ttl === undefined ? {} : { ttl: body.ttl }),
        ...(body.maxDepth === undefined ? {} : { maxDepth: body.maxDepth }),
      });
      return c.json(issuedWrit(writ), 200);
    },
  );
}

export function issuedWrit(writ: Writ) {
  const { claims } = writ.root;
  return {
    writ: writ.toString(),
    jti: claims.jti,
    user: claims.sub,
    agent: claims.aud,
    ...(claims.tnt === undefined ? {} : { tenant: claims.tnt }),
    expiresAt: claims.exp * 1000,
  };
}
