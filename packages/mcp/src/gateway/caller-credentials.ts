/**
 * How the gateway learns who a request comes from: the one place that turns
 * an HTTP request (and the JSON-RPC message it carries) into the writ and
 * proof the guard judges. Today: `Authorization: DPoP <writ>` on every
 * request and a `DPoP` proof bound to the request on every guarded call
 * (DESIGN §2); or an OAuth access token of the gateway's authorization
 * server (`Authorization: Bearer`), see oauth-caller.ts. Other carriages
 * (`_meta`) plug in here and nowhere else.
 */
import type { IncomingMessage } from "node:http";
import type { Guard } from "@writ/core";
import { proofFromDpopHeader, writFromAuthorization } from "../shared/http-carriage.js";
import { challengeFor, type HttpChallenge } from "./http-challenge.js";
import type { OAuthCallers, ProofSubject } from "./oauth-caller.js";

/** Who a request comes from, as the guard established it. */
export interface Caller {
  /** The serialized writ, which every guarded call the request makes is decided on. */
  readonly writ: string;
  /** Tenant, user and leaf agent: what an MCP session is bound to. */
  readonly principal: string;
  /**
   * Signs each guarded call's proof for a caller whose writ the gateway holds
   * (an OAuth access token); absent when the caller signs its own.
   */
  readonly prove?: (subject: ProofSubject) => string;
}

/** The credentials a request carries; nothing in them is trusted yet. */
export interface RequestCredentials {
  readonly writ: string | undefined;
  /** The invocation proof for a guarded call, when it carries one. */
  readonly proof: string | undefined;
  /** An OAuth access token (`Authorization: Bearer`), when the request carries one instead of a writ. */
  readonly accessToken?: string;
}

const BEARER = /^Bearer[ \t]+([A-Za-z0-9_.~+/-]+=*)[ \t]*$/i;

export function requestCredentials(req: IncomingMessage): RequestCredentials {
  const { authorization } = req.headers;
  const bearer = typeof authorization === "string" ? BEARER.exec(authorization)?.[1] : undefined;
  return {
    writ: writFromAuthorization(authorization),
    proof: proofFromDpopHeader(req.headers.dpop),
    ...(bearer === undefined ? {} : { accessToken: bearer }),
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
  oauth: OAuthCallers | undefined,
): { readonly caller: Caller } | { readonly challenge: HttpChallenge } {
  const { writ, accessToken } = credentials;
  if (accessToken !== undefined) {
    return oauth
      ? oauth.authenticate(accessToken)
      : { challenge: { status: 401, error: "invalid_token", code: "access_token.invalid" } };
  }
  if (writ === undefined) return { challenge: { status: 401 } };
  const check = guard.checkWrit(writ);
  if (!check.valid) return { challenge: challengeFor(check.code) ?? { status: 401 } };
  return {
    caller: { writ, principal: JSON.stringify([check.tenant ?? null, check.user, check.agent]) },
  };
}
