/**
 * How the gateway learns who a request comes from: the one place that turns
 * an HTTP request (and the JSON-RPC message it carries) into the writ and
 * proof the guard judges (DESIGN §2). Two carriages: HTTP headers
 * (`Authorization: DPoP <writ>`, and a `DPoP` proof bound to the request's
 * method and URL) and the message's `params._meta` (`dev.writ/writ`,
 * `dev.writ/proof`). Either may carry each credential; when both carry one,
 * they must be the same, or the request is refused rather than judged on
 * either. Or an OAuth access token of the gateway's authorization server:
 * `Authorization: Bearer <token>`, or for a DPoP-bound token
 * `Authorization: DPoP <token>` with an RFC 9449 proof in the `DPoP` header;
 * see oauth-caller.ts.
 */
import type { IncomingMessage } from "node:http";
import type { Guard } from "@writ/core";
import { proofFromDpopHeader, writFromAuthorization } from "../shared/http-carriage.js";
import { isRecord } from "../shared/mcp-types.js";
import { readMetaCredentials } from "../shared/writ-meta.js";
import type { AcceptedWrits } from "./accepted-writs.js";
import { challengeFor, type HttpChallenge } from "./http-challenge.js";
import { isAccessToken } from "./oauth-access-token.js";
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
  /**
   * Whether the proof came in the `DPoP` header, and so must be bound to the
   * request's method and URL (RFC 9449); a `_meta` proof is bound to the
   * message alone.
   */
  readonly proofInHeader: boolean;
  /** An OAuth access token, when the request carries one instead of a writ. */
  readonly accessToken?: PresentedAccessToken;
}

/** An OAuth access token as a request presents it. */
export interface PresentedAccessToken {
  readonly token: string;
  /** `Bearer`, or `DPoP` for a token bound to the client's key (RFC 9449). */
  readonly scheme: "Bearer" | "DPoP";
  /** The `DPoP` header: the client's proof of possession for this request, under the DPoP scheme. */
  readonly dpopProof: string | undefined;
}

const BEARER = /^Bearer[ \t]+([A-Za-z0-9_.~+/-]+=*)[ \t]*$/i;

/** Header and `_meta` carry different writs or proofs: which one the caller meant is unknowable. */
export interface CredentialsConflict {
  readonly conflict: "writ" | "proof";
}

/** The credentials of a request and of the JSON-RPC message in its body (when it has one). */
export function requestCredentials(
  req: IncomingMessage,
  message?: unknown,
): RequestCredentials | CredentialsConflict {
  const { authorization } = req.headers;
  const dpopCredential = writFromAuthorization(authorization);
  const dpopHeader = proofFromDpopHeader(req.headers.dpop);
  const bearer = typeof authorization === "string" ? BEARER.exec(authorization)?.[1] : undefined;
  // Under the DPoP scheme an access token, not a writ: its DPoP header is an
  // RFC 9449 proof of the client's key, not an invocation proof.
  const accessToken: PresentedAccessToken | undefined =
    dpopCredential !== undefined && isAccessToken(dpopCredential)
      ? { token: dpopCredential, scheme: "DPoP", dpopProof: dpopHeader }
      : bearer !== undefined
        ? { token: bearer, scheme: "Bearer", dpopProof: dpopHeader }
        : undefined;
  const headerWrit = accessToken === undefined ? dpopCredential : undefined;
  const headerProof = accessToken?.scheme === "DPoP" ? undefined : dpopHeader;
  const params = isRecord(message) && isRecord(message.params) ? message.params : {};
  const meta = readMetaCredentials(params._meta);
  if (headerWrit !== undefined && meta.writ !== undefined && headerWrit !== meta.writ) {
    return { conflict: "writ" };
  }
  if (headerProof !== undefined && meta.proof !== undefined && headerProof !== meta.proof) {
    return { conflict: "proof" };
  }
  return {
    writ: headerWrit ?? meta.writ,
    proof: headerProof ?? meta.proof,
    proofInHeader: headerProof !== undefined,
    ...(accessToken === undefined ? {} : { accessToken }),
  };
}

/**
 * The caller, or the HTTP challenge to answer instead: no writ 401 (with the
 * resource metadata's address), a writ that is not valid (or revoked) 401
 * `invalid_token`, a guard unable to judge 503. A `guarded` request (one the
 * guard decides) with a writ accepted before is not checked here: the guard's
 * decision checks it, with the same answers.
 */
export function authenticateCaller(
  guard: Guard,
  credentials: RequestCredentials,
  options: {
    readonly oauth: OAuthCallers | undefined;
    readonly accepted: AcceptedWrits;
    readonly method: string;
    readonly guarded: boolean;
  },
): { readonly caller: Caller } | { readonly challenge: HttpChallenge } {
  const { writ, accessToken } = credentials;
  const { oauth, accepted } = options;
  if (accessToken !== undefined) {
    return oauth
      ? oauth.authenticate(accessToken, options.method)
      : { challenge: { status: 401, error: "invalid_token", code: "oauth.token_invalid" } };
  }
  if (writ === undefined) return { challenge: { status: 401 } };
  const known = options.guarded ? accepted.principal(writ) : undefined;
  if (known !== undefined) return { caller: { writ, principal: known } };
  const check = guard.checkWrit(writ);
  if (!check.valid) {
    accepted.forget(writ);
    return { challenge: challengeFor(check.code) ?? { status: 401 } };
  }
  const principal = JSON.stringify([check.tenant ?? null, check.user, check.agent]);
  accepted.remember(writ, principal);
  return { caller: { writ, principal } };
}
