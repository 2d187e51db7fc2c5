import { PROBLEM_CONTENT_TYPE, type ProblemDetails } from "./problem-details.js";

/** A problem as an HTTP response, with the headers its status calls for. */
export function problemResponse(
  problem: ProblemDetails,
  extra: Readonly<Record<string, unknown>> = {},
): Response {
  const headers = new Headers({
    "content-type": PROBLEM_CONTENT_TYPE,
    "cache-control": "no-store",
  });
  if (problem.status === 401) headers.set("www-authenticate", 'Bearer realm="writ"');
  const retryAfter = problem.details?.retryAfter;
  if (problem.status === 429 && typeof retryAfter === "number")
    headers.set("retry-after", String(retryAfter));
  return new Response(JSON.stringify({ ...problem, ...extra }), {
    status: problem.status,
    headers,
  });
}
