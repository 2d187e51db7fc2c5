import { isUtf8 } from "node:buffer";
import { WritError } from "@writ/core";
import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";

/**
 * Refuses a request body that is not UTF-8 before any route reads it: JSON
 * and form parsers would replace the bad bytes with U+FFFD and go on with a
 * body that says something else than what was sent.
 */
export function utf8Bodies(): MiddlewareHandler {
  return async function writUtf8Body(c, next) {
    if (c.req.raw.body !== null && !isUtf8(await c.req.arrayBuffer())) {
      throw new WritError(
        "request.invalid",
        "The request body is not valid UTF-8; send JSON (or a form on /oauth/token) encoded as UTF-8.",
      );
    }
    await next();
  };
}

/**
 * The request's framing problems as Writ's codes: the route validators throw
 * Hono's HTTPException for a body that does not parse (400) or has a media
 * type the route does not take (415). Anything else is left as it is.
 */
export function bodyError(error: unknown): unknown {
  if (!(error instanceof HTTPException)) return error;
  if (error.status === 400) {
    return new WritError(
      "request.invalid",
      "The request body does not parse: send complete, well-formed JSON (a form on /oauth/token).",
    );
  }
  if (error.status === 415) {
    return new WritError(
      "request.unsupported_media_type",
      "The request body's Content-Type is not what this route takes: application/json (application/x-www-form-urlencoded on /oauth/token), as /openapi.json says.",
    );
  }
  return error;
}
