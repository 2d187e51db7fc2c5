import type { IssuerKeys } from "@writ/core";
import type { WritApp } from "../routes/route-context.js";
import type { OAuthContext } from "./oauth-context.js";

/** RFC 7009: a client revokes its refresh token or access token, and with it the consent. */
export function registerRevocationRoute(app: WritApp, ctx: OAuthContext): void {
  const { store, tokens } = ctx;
  app.post("/oauth/revoke", async (c) => {
    const form = await c.req.parseBody();
    const token = typeof form.token === "string" ? form.token : "";
    const clientId = typeof form.client_id === "string" ? form.client_id : undefined;
    await tokens.revokeRefreshToken(token, clientId);
    const jti = accessTokenJti(token, await store.issuerKeys());
    if (jti !== undefined) await tokens.revokeAccessToken(jti);
    // RFC 7009 §2.2: the answer is the same whether or not the token was known.
    return c.body(null, 200);
  });
}

/** The writ id an access token of this server refers to; undefined for anything this server did not sign. */
function accessTokenJti(token: string, keys: IssuerKeys): string | undefined {
  const [header, payload, signature] = token.split(".");
  try {
    const { kid } = JSON.parse(Buffer.from(header ?? "", "base64url").toString("utf8")) as {
      kid?: unknown;
    };
    const key = typeof kid === "string" ? keys.publicKey(kid) : undefined;
    if (
      !key?.verify(Buffer.from(`${header}.${payload}`), Buffer.from(signature ?? "", "base64url"))
    )
      return undefined;
    const { jti } = JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as {
      jti?: unknown;
    };
    return typeof jti === "string" ? jti : undefined;
  } catch {
    return undefined;
  }
}
