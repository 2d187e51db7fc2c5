import { createRoute } from "@hono/zod-openapi";
import { formatGrants, isWritError, parseGrantText } from "@writ/core";
import { jsonBody, jsonContent, problemResponses } from "../schemas/common-schemas.js";
import { grantsFrom } from "../schemas/grant-schemas.js";
import {
  GrantValidationSchema,
  ValidateGrantsSchema,
  WhatIfReportSchema,
  WhatIfSchema,
} from "../schemas/policy-schemas.js";
import { assertVisible, notFound, requireScope } from "../tenancy/tenant-access.js";
import { API_KEY_SECURITY, type RouteContext, type WritApp } from "./route-context.js";

const tags = ["Policies"];
const security = API_KEY_SECURITY;

/**
 * Checking a grant change before saving it: the text form validated by
 * core's parser (the error at its line and column), and a what-if that
 * replays the affected principals' latest recorded decisions under the
 * proposed grants (`writ policies test` and the console use it).
 */
export function registerPolicyRoutes(app: WritApp, { store }: RouteContext): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/grants/validate",
      tags,
      security,
      summary: "Parse grants in the text form: the grants, or the error with its line and column",
      request: { body: jsonBody(ValidateGrantsSchema) },
      responses: { 200: jsonContent(GrantValidationSchema, "The verdict"), ...problemResponses },
    }),
    async (c) => {
      requireScope(c.get("caller"), "read");
      const { text } = c.req.valid("json");
      try {
        const grants = parseGrantText(text);
        return c.json({ ok: true as const, grants, text: formatGrants(grants) }, 200);
      } catch (error) {
        if (!isWritError(error) || !error.code.startsWith("grant.")) throw error;
        const { line, column } = error.details as { line?: number; column?: number };
        return c.json(
          {
            ok: false as const,
            code: error.code,
            message: error.message,
            ...(line === undefined ? {} : { line }),
            ...(column === undefined ? {} : { column }),
          },
          200,
        );
      }
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/policies/what-if",
      tags,
      security,
      summary: "Replay the affected principals' latest decisions under proposed grants",
      request: { body: jsonBody(WhatIfSchema) },
      responses: { 200: jsonContent(WhatIfReportSchema, "What would change"), ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "read");
      const { subject, grants, limit } = c.req.valid("json");
      const owner =
        subject.kind === "user"
          ? await store.getUser(subject.id)
          : subject.kind === "role"
            ? await store.getRole(subject.id)
            : await store.getAgent(subject.id);
      if (!owner) throw notFound(subject.kind, subject.id);
      assertVisible(caller, owner.tenant, subject.kind, subject.id);
      const report = await store.whatIf({
        subject,
        grants: grantsFrom(grants),
        ...(limit === undefined ? {} : { limit }),
        ...(caller.tenant === undefined ? {} : { tenant: caller.tenant }),
      });
      return c.json(report, 200);
    },
  );
}
