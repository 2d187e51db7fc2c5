/**
 * Writ over HTTP (DESIGN §2, RFC 9449): `Authorization: DPoP <writ>` on every
 * request, and `DPoP: <proof>` bound to the method and URL on a tool call.
 */
import { isAction } from "@writ/core";

const DPOP_AUTHORIZATION = /^DPoP[ \t]+([A-Za-z0-9_.~-]+)[ \t]*$/i;

/** The writ in an Authorization header, or undefined when absent or not the DPoP scheme. */
export function writFromAuthorization(
  header: string | readonly string[] | undefined,
): string | undefined {
  if (typeof header !== "string") return undefined;
  return DPOP_AUTHORIZATION.exec(header)?.[1];
}

/** The proof in a DPoP header; a repeated header is ambiguous, so it counts as none. */
export function proofFromDpopHeader(
  header: string | readonly string[] | undefined,
): string | undefined {
  return typeof header === "string" && header.length > 0 ? header : undefined;
}

export function dpopAuthorization(writ: string): string {
  return `DPoP ${writ}`;
}

const WRONG_ACTION = /error_description="proof\.wrong_action"/;
const SCOPE = /scope="([^"]+)"/;

/**
 * The action a gateway says a request's proof must name, when it refused the
 * proof for naming another (401 `proof.wrong_action` with the action as
 * `scope`); undefined for any other answer.
 */
export function actionToSignFor(response: Response): string | undefined {
  if (response.status !== 401) return undefined;
  const challenge = response.headers.get("www-authenticate") ?? "";
  if (!WRONG_ACTION.test(challenge)) return undefined;
  const action = SCOPE.exec(challenge)?.[1];
  return action !== undefined && isAction(action) ? action : undefined;
}
