import type { DecisionCode } from "@writ/core";

/** An HTTP refusal in the words of RFC 6750 §3.1, RFC 9449 §7.1 and the MCP authorization spec. */
export interface HttpChallenge {
  readonly status: 401 | 403 | 503;
  /** The `error` parameter of the challenge; absent when no credentials were sent at all. */
  readonly error?: "invalid_token" | "invalid_dpop_proof" | "insufficient_scope";
  /** What more authority would help: the action, for `insufficient_scope`. */
  readonly scope?: string;
  /** The decision code, as `error_description` (never a token or an argument). */
  readonly code?: DecisionCode;
}

const UNAVAILABLE = new Set<DecisionCode>([
  "live.stale",
  "live.unavailable",
  "ledger.unavailable",
  "guard.internal",
  "proof.replay_cache_full",
]);

const WRIT_INVALID = new Set<DecisionCode>([
  "live.user_unknown",
  "live.agent_unknown",
  "live.agent_key_unknown",
  "live.tenant_mismatch",
]);

/**
 * The HTTP answer for a refused writ or call, or undefined when the refusal
 * belongs in the MCP result (a condition, a current permission, an approval):
 * 401 when the writ or proof is not valid, 403 `insufficient_scope` when the
 * writ does not hold the action (a writ with more authority would help), 503
 * when the guard cannot decide right now.
 */
export function challengeFor(code: DecisionCode, action?: string): HttpChallenge | undefined {
  if (UNAVAILABLE.has(code)) return { status: 503, code };
  if (code.startsWith("proof.")) return { status: 401, error: "invalid_dpop_proof", code };
  if (
    code.startsWith("writ.") ||
    code.startsWith("revoked.") ||
    code.startsWith("key.") ||
    WRIT_INVALID.has(code)
  ) {
    return { status: 401, error: "invalid_token", code };
  }
  if (code === "grant.action_not_granted") {
    return {
      status: 403,
      error: "insufficient_scope",
      code,
      ...(action === undefined ? {} : { scope: action }),
    };
  }
  return undefined;
}

/** The `WWW-Authenticate` value: the DPoP scheme (writs are key-bound), with where the resource metadata lives. */
export function wwwAuthenticate(challenge: HttpChallenge, resourceMetadata: string): string {
  const parameters = [
    ...(challenge.error ? [`error="${challenge.error}"`] : []),
    ...(challenge.code ? [`error_description="${challenge.code}"`] : []),
    ...(challenge.scope ? [`scope="${challenge.scope}"`] : []),
    `resource_metadata="${resourceMetadata}"`,
    'algs="EdDSA"',
  ];
  return `DPoP ${parameters.join(", ")}`;
}
