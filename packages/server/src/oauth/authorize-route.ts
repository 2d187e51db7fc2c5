import { isActionPattern } from "@writ/core";
import { setCookie } from "hono/cookie";
import { isSecure } from "../console/console-sessions.js";
import { problemOf } from "../http/problem-details.js";
import type { WritApp } from "../routes/route-context.js";
import { BROWSER_COOKIE } from "./browser-request.js";
import type { OAuthClient } from "./oauth-clients.js";
import type { OAuthContext } from "./oauth-context.js";
import { errorPage } from "./oauth-pages.js";

const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/**
 * The authorization endpoint: the client and its exact redirect URI, PKCE
 * (S256 only), an RFC 8707 resource this server issues tokens for; opens the
 * request, bound to this browser by a cookie, and sends the person to the
 * consent. Errors go back to the client with RFC 9207 `iss` once its redirect
 * URI is known, to an error page before.
 */
export function registerAuthorizeRoute(app: WritApp, ctx: OAuthContext): void {
  const { clientFor, pending, settings } = ctx;
  const { issuer, resources } = settings;
  app.get("/oauth/authorize", async (c) => {
    const query = new URL(c.req.url).searchParams;
    const one = (name: string) =>
      query.getAll(name).length === 1 ? (query.get(name) ?? "") : undefined;
    let client: OAuthClient | undefined;
    try {
      client = await clientFor(one("client_id") ?? "");
    } catch (error) {
      return errorPage(c, problemOf(error).detail);
    }
    if (!client) {
      return errorPage(
        c,
        "This client is not registered here (client_id); it must register again.",
      );
    }
    const redirectUri =
      one("redirect_uri") ??
      (client.redirect_uris.length === 1 ? client.redirect_uris[0] : undefined);
    // Exact match only: never send a code (or an error) anywhere the client did not register.
    if (redirectUri === undefined || !client.redirect_uris.includes(redirectUri)) {
      return errorPage(c, "The redirect_uri is not one this client registered.");
    }
    const state = one("state");
    const back = (params: Record<string, string>) => {
      const url = new URL(redirectUri);
      for (const [name, value] of Object.entries({
        ...params,
        ...(state ? { state } : {}),
        iss: issuer,
      })) {
        url.searchParams.set(name, value);
      }
      return c.redirect(url.toString(), 302);
    };
    if (one("response_type") !== "code") {
      return back({
        error: "unsupported_response_type",
        error_description: "Only response_type=code is supported.",
      });
    }
    const challenge = one("code_challenge");
    if (
      one("code_challenge_method") !== "S256" ||
      challenge === undefined ||
      !CHALLENGE.test(challenge)
    ) {
      return back({
        error: "invalid_request",
        error_description: "PKCE is required: code_challenge with code_challenge_method=S256.",
      });
    }
    const requested = query.getAll("resource");
    const resource =
      requested.length === 0 && resources.size === 1
        ? [...resources.keys()][0]
        : requested.length === 1
          ? requested[0]
          : undefined;
    if (resource === undefined || !resources.has(resource)) {
      return back({
        error: "invalid_target",
        error_description: "resource must name one MCP gateway this server issues tokens for.",
      });
    }
    const scope = (one("scope") ?? "").split(" ").filter((token) => token.length > 0);
    const actions = scope.filter((token) => isActionPattern(token));
    const { pending: request, browserSecret } = await pending.open({
      client,
      redirectUri,
      state,
      codeChallenge: challenge,
      resource,
      scope: actions,
    });
    setCookie(c, BROWSER_COOKIE, `${request.id}.${browserSecret}`, {
      httpOnly: true,
      secure: isSecure(c),
      // Lax: it must come back with the identity provider's redirect.
      sameSite: "Lax",
      path: "/oauth",
      maxAge: 600,
    });
    return c.redirect(`/oauth/consent?request=${request.id}`, 303);
  });
}
