import {
  errorSpec,
  type HttpStatus,
  isWritError,
  isWritErrorCode,
  type WritErrorCode,
  type WritErrorDetails,
} from "@writ/core";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** An RFC 9457 problem, as the server sends it and the client reads it. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: HttpStatus;
  readonly detail: string;
  readonly code: WritErrorCode;
  readonly details?: WritErrorDetails;
  /** RFC 6749 §5.2 members, on the token endpoint only. */
  readonly error?: string;
  readonly error_description?: string;
}

/** RFC 9110's reason phrases, as problem titles. */
const TITLES: Readonly<Record<HttpStatus, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/**
 * Turns anything thrown while handling a request into a problem. WritErrors
 * keep their code and message (which never hold secrets); caller misuse
 * (TypeError) becomes request.invalid with its message; anything else,
 * including a WritError whose code this server does not know (from another
 * copy of @writ/core), is an internal error whose message is not shown, since
 * it could hold anything.
 */
export function problemOf(error: unknown): ProblemDetails {
  if (isWritError(error) && isWritErrorCode(error.code)) {
    return problem(error.code, error.message, publicDetails(error.details));
  }
  if (error instanceof TypeError) return problem("request.invalid", error.message);
  return problem("server.internal", "The server failed while handling the request.");
}

/** The problem for `code`, with the status the error registry gives it. */
export function problem(
  code: WritErrorCode,
  detail: string,
  details?: WritErrorDetails,
): ProblemDetails {
  const { status } = errorSpec(code);
  return {
    type: problemType(code),
    title: TITLES[status],
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
