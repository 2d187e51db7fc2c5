import { createHmac, timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { PendingAuthorizations } from "./pending-authorizations.js";

/** The cookie binding an authorization request to the browser that started it: `<request id>.<secret>`. */
export const BROWSER_COOKIE = "writ_oauth";

/** The request this browser has open, if the id matches its cookie. */
export async function requestOf(
  c: Context,
  pending: PendingAuthorizations,
  id: string | undefined,
) {
  const [cookieId, secret] = (getCookie(c, BROWSER_COOKIE) ?? "").split(".");
  if (id === undefined || cookieId !== id) return undefined;
  const request = await pending.find(id, secret);
  return request && secret ? { request, secret } : undefined;
}

/** The consent form's CSRF token: derived from this browser's secret for the request. */
export function csrfOf(secret: string, id: string): string {
  return createHmac("sha256", secret).update(`consent:${id}`).digest("base64url");
}

export function sameText(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
