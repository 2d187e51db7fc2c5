import { createHash } from "node:crypto";
import { type Grant, intersectGrants, WritError } from "@writ/core";
import { deleteCookie } from "hono/cookie";
import { PAGE_HEADERS } from "../console/console-routes.js";
import { isSecure } from "../console/console-sessions.js";
import { layout } from "../console/views/layout.js";
import type { WritApp } from "../routes/route-context.js";
import { BROWSER_COOKIE, csrfOf, requestOf, sameText } from "./browser-request.js";
import { authorizationErrorView, consentSignInView, consentView } from "./consent-view.js";
import type { OAuthContext } from "./oauth-context.js";
import type { OAuthResource } from "./oauth-options.js";
import { clientName, errorPage, page } from "./oauth-pages.js";

/**
 * The consent page and its answer: the person's authority ∩ the client's
 * policy, limited to the scope asked for; the form is bound to the browser's
 * request (CSRF) and answered once; an approval creates the client's agent at
 * its first consent and sends a single-use code to the client.
 */
export function registerConsentRoutes(app: WritApp, ctx: OAuthContext): void {
  const { store, providers, pending, writs, settings } = ctx;
  const { issuer, resources } = settings;

  /** What the person may consent to: their authority ∩ the client's policy, limited to the scope asked for. */
  const offered = async (request: {
    readonly user?: string;
    readonly client: { client_id: string };
    readonly scope: readonly string[];
  }) => {
    const user = await store.getUser(request.user ?? "");
    if (!user)
      throw new WritError("identity.not_linked", "The Writ user who signed in no longer exists.");
    const agentId = agentIdOf(user.tenant, request.client.client_id);
    const agent = await store.getAgent(agentId);
    let grants: readonly Grant[] = user.effectivePermissions;
    if (agent) grants = intersectGrants(grants, agent.policy);
    if (request.scope.length > 0) {
      grants = intersectGrants(
        grants,
        request.scope.map((action) => ({ action })),
      );
    }
    return { user, agentId, agent, grants };
  };

  app.get("/oauth/consent", async (c) => {
    const open = await requestOf(c, pending, c.req.query("request"));
    if (!open)
      return errorPage(
        c,
        "This authorization expired or was started in another browser; start again from the client.",
      );
    const { request, secret } = open;
    if (request.user === undefined) {
      return page(
        c,
        200,
        "Sign in",
        consentSignInView({
          request: request.id,
          clientName: clientName(request.client),
          providers,
        }),
      );
    }
    const { grants } = await offered(request);
    // The approval's redirect goes to the client: the form may be sent there and nowhere else.
    const target = new URL(request.redirectUri);
    const destination = /^https?:$/.test(target.protocol) ? target.origin : target.protocol;
    return c.html(
      layout({
        title: "Consent",
        body: consentView({
          request: request.id,
          csrf: csrfOf(secret, request.id),
          user: request.user,
          clientName: clientName(request.client),
          clientId: request.client.client_id,
          redirectHost: new URL(request.redirectUri).origin,
          resource: request.resource,
          grants,
        }),
      }),
      200,
      {
        ...PAGE_HEADERS,
        "content-security-policy": PAGE_HEADERS["content-security-policy"].replace(
          "form-action 'self'",
          `form-action 'self' ${destination}`,
        ),
      },
    );
  });

  app.post("/oauth/consent", async (c) => {
    const form = await c.req.parseBody({ all: true });
    const id = typeof form.request === "string" ? form.request : undefined;
    const open = await requestOf(c, pending, id);
    const origin = c.req.header("origin");
    if (
      !open ||
      open.request.user === undefined ||
      typeof form.csrf !== "string" ||
      !sameText(form.csrf, csrfOf(open.secret, open.request.id)) ||
      (origin !== undefined && origin !== new URL(c.req.url).origin)
    ) {
      return page(
        c,
        403,
        "Authorization failed",
        authorizationErrorView(
          "This consent did not come from its own page; start again from the client.",
        ),
      );
    }
    const { request } = open;
    // Single use: whatever the answer, this request is over; a second answer (here or at another instance) is refused.
    const closed = await pending.close(request.id);
    deleteCookie(c, BROWSER_COOKIE, { path: "/oauth", secure: isSecure(c) });
    if (!closed) {
      return page(
        c,
        403,
        "Authorization failed",
        authorizationErrorView("This consent was already answered; start again from the client."),
      );
    }
    const redirect = (params: Record<string, string>) => {
      const url = new URL(request.redirectUri);
      for (const [name, value] of Object.entries({
        ...params,
        ...(request.state ? { state: request.state } : {}),
        iss: issuer,
      })) {
        url.searchParams.set(name, value);
      }
      return c.redirect(url.toString(), 303);
    };
    if (form.decision !== "approve") {
      return redirect({
        error: "access_denied",
        error_description: "The user denied the request.",
      });
    }
    const { user, agentId, grants } = await offered(request);
    const picked = [form.grant ?? []].flat().map((value) => grants[Number(value)]);
    const chosen = picked.filter((grant): grant is Grant => grant !== undefined);
    if (chosen.length === 0 || chosen.length !== picked.length) {
      return redirect({ error: "access_denied", error_description: "No grant was approved." });
    }
    await writs.ensureAgents({
      agent: agentId,
      tenant: user.tenant,
      policy: settings.clientPolicy ?? chosen,
      resource: resources.get(request.resource) as OAuthResource,
    });
    const code = await pending.issueCode({
      clientId: request.client.client_id,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      resource: request.resource,
      user: user.id,
      agent: agentId,
      grants: chosen,
    });
    return redirect({ code });
  });
}

/** The agent a client is in a tenant: stable, derived from its client id. */
function agentIdOf(tenant: string | undefined, clientId: string): string {
  const digest = createHash("sha256")
    .update(`${tenant ?? ""}\n${clientId}`)
    .digest("base64url");
  return `mcp-client-${digest.slice(0, 22)}`;
}
