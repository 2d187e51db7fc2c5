import { WritError } from "@writ/core";
import type { WritApp } from "../routes/route-context.js";
import type { OAuthClients } from "./oauth-clients.js";

/** RFC 7591 Dynamic Client Registration: public clients only. */
export function registerRegistrationRoute(app: WritApp, clients: OAuthClients): void {
  app.post("/oauth/register", async (c) => {
    c.header("cache-control", "no-store");
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new WritError(
        "oauth.invalid_client_metadata",
        "The registration request must be JSON.",
      );
    }
    return c.json(await clients.register(body), 201);
  });
}
