// web-app.ts: your app's two routes that connect the signed-in user's Google account (Hono here).
import { isWritError } from "@writ/core";
import { Hono } from "hono";
import { broker } from "./broker.js";

/** `signedInUser` is your own sign-in: the user of the browser making the request. */
export function connectionRoutes(signedInUser: (request: Request) => string): Hono {
  const app = new Hono();

  app.get("/connections/google", async (c) => {
    const user = signedInUser(c.req.raw);
    const { authorizationUrl } = await broker.startConnect({ user, provider: "google" });
    return c.redirect(authorizationUrl);
  });

  app.get("/connections/google/callback", async (c) => {
    const user = signedInUser(c.req.raw);
    try {
      await broker.completeConnect({ provider: "google", user, callback: c.req.url });
      return c.redirect("/settings?connected=google");
    } catch (error) {
      // credential.state_invalid, credential.connect_denied, credential.provider_error …
      const code = isWritError(error) ? error.code : "failed";
      return c.redirect(`/settings?connect_error=${encodeURIComponent(code)}`);
    }
  });

  return app;
}
