import { getConnInfo } from "@hono/node-server/conninfo";
import { type Clock, WritError } from "@writ/core";
import type { Context, MiddlewareHandler } from "hono";
import type { ConsoleSessions } from "../console/console-sessions.js";
import type { RateLimiter } from "../http/rate-limiter.js";
import { AGENT_REQUEST_TYPE, type AgentTokenVerifier } from "./agent-token-verifier.js";
import type { ApiKeyVerifier } from "./api-key-verifier.js";
import { type Caller, callerBucket, type ServerEnv } from "./caller.js";

export interface AuthenticateOptions {
  readonly apiKeys: ApiKeyVerifier;
  readonly agentTokens: AgentTokenVerifier;
  /** Per API key or agent. */
  readonly perCaller: RateLimiter;
  /** Per client address, for requests that are not (yet) authenticated. */
  readonly perAddress: RateLimiter;
  readonly clock: Clock;
  /** Console sign-ins: a request with no Authorization header may carry a session cookie. */
  readonly sessions?: ConsoleSessions | undefined;
}

/**
 * Authenticates every API request: `Authorization: Bearer <API key>`, or
 * `Authorization: WritAgent <token>` signed by a registered agent key and
 * bound to the request. Failed attempts are rate limited per address, so
 * keys cannot be guessed at speed; callers are rate limited per key.
 */
export function authenticate(options: AuthenticateOptions): MiddlewareHandler<ServerEnv> {
  const { apiKeys, agentTokens, perCaller, perAddress, clock, sessions } = options;
  return async function writAuthenticate(c, next) {
    const header = c.req.header("authorization") ?? "";
    const space = header.indexOf(" ");
    const scheme = space < 0 ? header : header.slice(0, space);
    const credential = space < 0 ? "" : header.slice(space + 1).trim();
    let caller: Caller;
    try {
      caller = await identify(scheme.toLowerCase(), credential, c);
    } catch (error) {
      throttle(perAddress, addressOf(c), clock());
      throw error;
    }
    throttle(perCaller, callerBucket(caller), clock());
    c.set("caller", caller);
    await next();
  };

  async function identify(
    scheme: string,
    credential: string,
    c: Context<ServerEnv>,
  ): Promise<Caller> {
    if (scheme === "bearer" && credential.length > 0) {
      const record = await apiKeys.verify(credential);
      return { kind: "api_key", keyId: record.id, tenant: record.tenant, scopes: record.scopes };
    }
    if (scheme === "writagent" && credential.length > 0) {
      try {
        const verified = await agentTokens.verify(credential, AGENT_REQUEST_TYPE, {
          method: c.req.method,
          path: c.req.path,
          body: new Uint8Array(await c.req.arrayBuffer()),
        });
        return { kind: "agent", ...verified };
      } catch (error) {
        const reason = error instanceof WritError ? error.message : "it did not verify";
        throw new WritError(
          "auth.invalid",
          `The agent signature is not valid: ${reason}`,
          {},
          error,
        );
      }
    }
    const session = scheme === "" && sessions ? await sessions.caller(c) : undefined;
    if (session) return session;
    throw new WritError(
      "auth.missing",
      "Authenticate with `Authorization: Bearer <API key>` or an agent-signed `Authorization: WritAgent <token>`.",
    );
  }
}

/** Takes a token from `key`'s bucket or refuses with request.rate_limited. */
export function throttle(limiter: RateLimiter, key: string, now: number): void {
  const wait = limiter.take(key, now);
  if (wait > 0) {
    throw new WritError("request.rate_limited", `Too many requests; retry in ${wait} s.`, {
      retryAfter: wait,
    });
  }
}

export function addressOf(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown"; // not running on Node's HTTP server (app.request() in tests)
  }
}
