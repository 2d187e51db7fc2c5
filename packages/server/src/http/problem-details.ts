import { isWritError, type WritErrorCode, type WritErrorDetails } from "@writ/core";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** An RFC 9457 problem, as the server sends it and the client reads it. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: WritErrorCode;
  readonly details?: WritErrorDetails;
  /** RFC 6749 §5.2 members, on the token endpoint only. */
  readonly error?: string;
  readonly error_description?: string;
}

const TITLES: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  413: "Content Too Large",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

/** The HTTP status each error code is answered with. */
export function statusOf(code: WritErrorCode): number {
  if (code === "request.too_large") return 413;
  if (code.startsWith("credential.")) return credentialStatus(code);
  if (code === "request.rate_limited") return 429;
  if (code === "auth.missing" || code === "auth.invalid") return 401;
  if (code === "auth.forbidden") return 403;
  if (code === "store.not_found" || code === "request.not_found") return 404;
  if (code === "store.conflict" || code.startsWith("approval.")) return 409;
  if (code === "store.unavailable" || code === "ledger.unavailable" || code === "idp.unavailable")
    return 503;
  if (code === "issue.no_authority" || code.startsWith("revoked.") || code.startsWith("live."))
    return 403;
  if (
    code === "server.internal" ||
    code === "guard.internal" ||
    code === "ledger.broken" ||
    code.startsWith("store.")
  )
    return 500;
  return 400;
}

/** Provider connections: a missing or broken one, a refusal by the user, a provider that fails. */
function credentialStatus(code: WritErrorCode): number {
  switch (code) {
    case "credential.not_connected":
      return 404;
    case "credential.broken":
      return 409;
    case "credential.connect_denied":
    case "credential.outside_call":
    case "credential.call_expired":
      return 403;
    case "credential.provider_unavailable":
      return 503;
    case "credential.provider_error":
      return 502;
    default:
      return 400;
  }
}

/**
 * Turns anything thrown while handling a request into a problem. WritErrors
 * keep their code and message (which never hold secrets); caller misuse
 * (TypeError) becomes request.invalid with its message; anything else is an
 * internal error whose message is not shown, since it could hold anything.
 */
export function problemOf(error: unknown): ProblemDetails {
  if (isWritError(error)) {
    const status = statusOf(error.code);
    const details = publicDetails(error.details);
    return {
      type: problemType(error.code),
      title: TITLES[status] ?? "Error",
      status,
      detail: error.message,
      code: error.code,
      ...(details ? { details } : {}),
    };
  }
  if (error instanceof TypeError) return problem("request.invalid", error.message);
  return problem("server.internal", "The server failed while handling the request.");
}

export function problem(
  code: WritErrorCode,
  detail: string,
  details?: WritErrorDetails,
): ProblemDetails {
  const status = statusOf(code);
  return {
    type: problemType(code),
    title: TITLES[status] ?? "Error",
    status,
    detail,
    code,
    ...(details ? { details } : {}),
  };
}

function problemType(code: WritErrorCode): string {
  return `https://writ.dev/problems/${code}`;
}

/** Details are documented as non-secret; still, only plain values travel. */
function publicDetails(details: WritErrorDetails): WritErrorDetails | undefined {
  const kept = Object.entries(details).filter(
    ([, value]) =>
      typeof value === "string" ||
      typeof value === "number" ||
      typeof value === "boolean" ||
      value === null,
  );
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}
