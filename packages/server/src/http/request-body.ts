import { WritError } from "@writ/core";
import type { Context, MiddlewareHandler, Next } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";

/**
 * Bounds every request body to `maxBytes` and refuses one that is not UTF-8
 * before any route reads it: JSON and form parsers would replace the bad
 * bytes with U+FFFD and go on with a body that says something else than what
 * was sent. A body of declared length is read straight from the socket (the
 * node adapter's direct read; going through the web Request's stream cost
 * more than the rest of a ledger append's handling); one of unknown length is
 * counted as it streams in.
 */
export function boundedUtf8Bodies(maxBytes: number): MiddlewareHandler {
  const tooLarge = (): never => {
    throw new WritError("request.too_large", `Request bodies are limited to ${maxBytes} bytes.`);
  };
  const streamedLimit = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return async function writRequestBody(c, next) {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const length = c.req.header("content-length");
    if (length === undefined || c.req.header("transfer-encoding") !== undefined) {
      return streamedLimit(c, () => utf8Only(c, next));
    }
    if (Number.parseInt(length, 10) > maxBytes) tooLarge();
    return utf8Only(c, next);
  };
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

async function utf8Only(c: Context, next: Next): Promise<void> {
  let text: string;
  try {
    text = strictUtf8.decode(await c.req.arrayBuffer());
  } catch {
    throw new WritError(
      "request.invalid",
      "The request body is not valid UTF-8; send JSON (or a form on /oauth/token) encoded as UTF-8.",
    );
  }
  // The route's parser reads this text: left to Hono, it would decode the bytes again
  // through a web Response. (Hono keeps promises in bodyCache, whatever its type says.)
  c.req.bodyCache.text = Promise.resolve(text) as unknown as string;
  await next();
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
