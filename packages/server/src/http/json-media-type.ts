import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";

/** What the OpenAPI routes take as JSON: application/json or a +json type, with parameters. */
const JSON_REQUEST = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;

/**
 * The media type check the OpenAPI routes make before their JSON validator,
 * for a documented route that validates its body itself: a body sent as
 * something else than JSON, or with no Content-Type, is refused (415, which
 * `bodyError` words as `request.unsupported_media_type`).
 */
export const jsonMediaType: MiddlewareHandler = async (c, next) => {
  const type = c.req.header("content-type");
  const refused =
    type === undefined ? (await c.req.arrayBuffer()).byteLength > 0 : !JSON_REQUEST.test(type);
  if (refused) throw new HTTPException(415, { message: "Unsupported Media Type" });
  await next();
};
