import { type AuthChallenge, type DecisionCode, errorSpec, isWritErrorCode } from "@writ/core";

/** An HTTP refusal in the words of RFC 6750 §3.1, RFC 9449 §7.1 and the MCP authorization spec. */
export interface HttpChallenge {
  readonly status: 401 | 403 | 503;
  /** The `error` parameter of the challenge; absent when no credentials were sent at all. */
  readonly error?: AuthChallenge;
  /** The action the call performs: what more authority would help (`insufficient_scope`), or what a proof must name (`proof.wrong_action`). */
  readonly scope?: string;
  /** The decision code, as `error_description` (never a token or an argument). */
  readonly code?: DecisionCode;
}

/**
 * The HTTP answer for a refused writ or call, as the error registry classifies
 * its code, or undefined when the refusal belongs in the MCP result (a
 * condition, a current permission, an approval): 401 when the writ or proof is
 * not valid (naming the action when the proof named another), 403
 * `insufficient_scope` when the writ does not hold the action (a
 * writ with more authority would help), 503 when the guard cannot decide right
 * now.
 */
export function challengeFor(code: DecisionCode, action?: string): HttpChallenge | undefined {
  if (!isWritErrorCode(code)) return undefined;
  const { challenge, status } = errorSpec(code);
  if (challenge === "insufficient_scope") {
    return {
      status: 403,
      error: challenge,
      code,
      ...(action === undefined ? {} : { scope: action }),
    };
  }
  if (code === "proof.wrong_action" && action !== undefined) {
    // The proof's signature verified, so its key holder is told the action the
    // call performs, to sign for it (a client that could not list the tool
    // cannot know it; the 403 it may meet next names it too).
    return { status: 401, error: "invalid_dpop_proof", code, scope: action };
  }
  if (challenge !== null) return { status: 401, error: challenge, code };
  if (status === 503) return { status: 503, code };
  return undefined;
}

/**
 * The `WWW-Authenticate` value: the DPoP scheme (writs and DPoP-bound access
 * tokens are key-bound), with where the resource metadata lives and the
 * algorithms a proof may use.
 */
export function wwwAuthenticate(
  challenge: HttpChallenge,
  resourceMetadata: string,
  algorithms: readonly string[],
): string {
  return `DPoP ${[...challengeParameters(challenge, resourceMetadata), `algs="${algorithms.join(" ")}"`].join(", ")}`;
}

/**
 * The Bearer challenge a gateway with an OAuth authorization server sends
 * before the DPoP one: the scheme stock MCP clients read (resource metadata,
 * `insufficient_scope` with the scope to ask for).
 */
export function bearerChallenge(challenge: HttpChallenge, resourceMetadata: string): string {
  // A bad DPoP proof is the DPoP scheme's error (RFC 9449 §7.1); the Bearer
  // challenge then only says where to get a token.
  const own = challenge.error === "invalid_dpop_proof" ? { status: challenge.status } : challenge;
  return `Bearer ${challengeParameters(own, resourceMetadata).join(", ")}`;
}

function challengeParameters(challenge: HttpChallenge, resourceMetadata: string): string[] {
  return [
    ...(challenge.error ? [`error="${challenge.error}"`] : []),
    ...(challenge.code ? [`error_description="${challenge.code}"`] : []),
    ...(challenge.scope ? [`scope="${challenge.scope}"`] : []),
    `resource_metadata="${resourceMetadata}"`,
  ];
}
