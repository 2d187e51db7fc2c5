/**
 * Writ over HTTP (DESIGN §2, RFC 9449): `Authorization: DPoP <writ>` on every
 * request, and `DPoP: <proof>` bound to the method and URL on a tool call.
 */

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
