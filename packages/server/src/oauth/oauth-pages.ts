import type { Context } from "hono";
import type { HtmlEscapedString } from "hono/utils/html";
import { PAGE_HEADERS } from "../console/console-routes.js";
import { layout } from "../console/views/layout.js";
import { authorizationErrorView } from "./consent-view.js";

/** An authorization server page in the console's layout. */
export function page(c: Context, status: 200 | 400 | 403, title: string, body: HtmlEscapedString) {
  return c.html(layout({ title, body }), status, PAGE_HEADERS);
}

/** The page for an authorization that cannot go on (nothing is sent to the client). */
export function errorPage(c: Context, message: string) {
  return page(c, 400, "Authorization failed", authorizationErrorView(message));
}

export function clientName(client: {
  readonly client_name?: string;
  readonly client_id: string;
}): string {
  return client.client_name ?? client.client_id;
}
