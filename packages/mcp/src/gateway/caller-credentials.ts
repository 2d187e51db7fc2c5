/**
 * How the gateway learns who a request comes from: the one place that turns
 * an HTTP request (and the JSON-RPC message it carries) into the writ and
 * proof the guard judges. Today: `Authorization: DPoP <writ>` on every
 * request and a `DPoP` proof bound to the request on every guarded call
 * (DESIGN §2). Other carriages (the MCP authorization spec's access tokens,
 * `_meta`) plug in here and nowhere else.
 */
import type { IncomingMessage } from "node:http";
import type { Guard } from "@writ/core";
import { proofFromDpopHeader, writFromAuthorization } from "../shared/http-carriage.js";
import { challengeFor, type HttpChallenge } from "./http-challenge.js";

/** Who a request comes from, as the guard established it. */
export interface Caller {
  /** The serialized writ, which every guarded call the request makes is decided on. */
  readonly writ: string;
  /** Tenant, user and leaf agent: what an MCP session is bound to. */
  readonly principal: string;
}

/** The credentials a request carries; nothing in them is trusted yet. */
export interface RequestCredentials {
  readonly writ: string | undefined;
  /** The invocation proof for a guarded call, when it carries one. */
  readonly proof: string | undefined;
}

export function requestCredentials(req: IncomingMessage): RequestCredentials {
  return {
    writ: writFromAuthorization(req.headers.authorization),
    proof: proofFromDpopHeader(req.headers.dpop),
  };
}

/**
 * The caller, or the HTTP challenge to answer instead: no writ 401 (with the
 * resource metadata's address), a writ that is not valid (or revoked) 401
 * `invalid_token`, a guard unable to judge 503.
 */
export function authenticateCaller(
  guard: Guard,
  credentials: RequestCredentials,
): { readonly caller: Caller } | { readonly challenge: HttpChallenge } {
  const { writ } = credentials;
  if (writ === undefined) return { challenge: { status: 401 } };
  const check = guard.checkWrit(writ);
  if (!check.valid) return { challenge: challengeFor(check.code) ?? { status: 401 } };
  return {
    caller: { writ, principal: JSON.stringify([check.tenant ?? null, check.user, check.agent]) },
  };
}
