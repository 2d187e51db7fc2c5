import { WritError } from "@writ/core";
import { getCookie } from "hono/cookie";
import { finishOidcSignIn, startOidcSignIn } from "../console/oidc-sign-in.js";
import { problemOf } from "../http/problem-details.js";
import type { WritApp } from "../routes/route-context.js";
import { BROWSER_COOKIE, requestOf } from "./browser-request.js";
import { consentSignInView } from "./consent-view.js";
import type { OAuthContext } from "./oauth-context.js";
import { clientName, errorPage, page } from "./oauth-pages.js";

const SIGN_IN_CALLBACK = "/oauth/sign-in/callback";

/** Signing the person in for an authorization request, through the console's identity providers. */
export function registerSignInRoutes(app: WritApp, ctx: OAuthContext): void {
  const { store, providers, pending } = ctx;
  app.get("/oauth/sign-in/callback", async (c) => {
    const [id] = (getCookie(c, BROWSER_COOKIE) ?? "").split(".");
    const open = await requestOf(c, pending, id);
    if (!open)
      return errorPage(
        c,
        "This authorization expired or was started in another browser; start again from the client.",
      );
    try {
      const identity = await finishOidcSignIn(c, providers, SIGN_IN_CALLBACK);
      const user = await store.userForIdentity({
        issuer: identity.issuer,
        subject: identity.subject,
      });
      if (!user) {
        throw new WritError(
          "identity.not_linked",
          "Your account is not linked to a Writ user; ask an administrator to link it.",
        );
      }
      await pending.signIn(open.request.id, user.id);
      return c.redirect(`/oauth/consent?request=${open.request.id}`, 303);
    } catch (error) {
      return page(
        c,
        400,
        "Sign in",
        consentSignInView({
          request: open.request.id,
          clientName: clientName(open.request.client),
          providers,
          error: problemOf(error).detail,
        }),
      );
    }
  });

  app.get("/oauth/sign-in/:index", async (c) => {
    const open = await requestOf(c, pending, c.req.query("request"));
    const sign = providers[Number(c.req.param("index"))];
    if (!open || !sign)
      return errorPage(c, "This authorization expired; start again from the client.");
    return startOidcSignIn(c, sign, SIGN_IN_CALLBACK);
  });
}
