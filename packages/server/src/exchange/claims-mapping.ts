import { WritError } from "@writ/core";
import { hasControlCharacter, isPrincipalId } from "@writ/core/backend";
import type { JWTPayload } from "jose";

/** How an identity provider's claims name a person and give Writ roles. */
export interface ClaimsMapping {
  /**
   * The claim naming the person at this provider: the subject of the
   * identity a user is linked to. Default "sub" (stable and never reassigned
   * by a proper provider). "email" needs the provider's `emailDomains` and a
   * verified address (`email_verified: true`).
   */
  readonly user?: string;
  /**
   * Roles from a claim holding a string or a list of strings (e.g. `groups`,
   * or a dotted path such as `realm_access.roles`): each value maps to Writ
   * role ids. Values not in `map` give no role.
   */
  readonly roles?: {
    readonly claim: string;
    readonly map: Readonly<Record<string, string | readonly string[]>>;
  };
}

/** Throws a TypeError for a mapping that names invalid role ids. */
export function checkClaimsMapping(mapping: ClaimsMapping): void {
  for (const targets of Object.values(mapping.roles?.map ?? {})) {
    for (const role of typeof targets === "string" ? [targets] : targets) {
      if (!isPrincipalId(role))
        throw new TypeError(`The claims mapping names an invalid role id ${JSON.stringify(role)}.`);
    }
  }
}

/** Every role id a mapping can give: the roles it manages. */
export function managedRoles(mapping: ClaimsMapping | undefined): Set<string> {
  return new Set(
    Object.values(mapping?.roles?.map ?? {}).flatMap((targets) =>
      typeof targets === "string" ? [targets] : [...targets],
    ),
  );
}

/** The identity and mapped roles a verified token's claims give. */
export function mapClaims(
  claims: JWTPayload,
  mapping: ClaimsMapping | undefined,
  emailDomains: readonly string[] = [],
): { readonly subject: string; readonly roles: readonly string[] } {
  const userClaim = mapping?.user ?? "sub";
  const subject = claimAt(claims, userClaim);
  if (
    typeof subject !== "string" ||
    subject.length === 0 ||
    subject.length > 256 ||
    hasControlCharacter(subject)
  ) {
    throw new WritError(
      "token.invalid",
      `The token's "${userClaim}" claim does not name a person (1–256 characters, no control characters).`,
    );
  }
  if (userClaim === "email") checkEmail(claims, subject, emailDomains);
  const roles = new Set<string>();
  if (mapping?.roles) {
    const value = claimAt(claims, mapping.roles.claim);
    const values = typeof value === "string" ? [value] : Array.isArray(value) ? value : [];
    for (const entry of values) {
      if (typeof entry !== "string" || !Object.hasOwn(mapping.roles.map, entry)) continue;
      const targets = mapping.roles.map[entry] as string | readonly string[];
      for (const role of typeof targets === "string" ? [targets] : targets) roles.add(role);
    }
  }
  return { subject, roles: [...roles].sort() };
}

/**
 * An address names a person only when the provider verified it and may speak
 * for its domain: otherwise anyone who can type an address at some provider
 * would be exchanged as its owner.
 */
function checkEmail(claims: JWTPayload, email: string, domains: readonly string[]): void {
  if (claims.email_verified !== true) {
    throw new WritError(
      "identity.email_unverified",
      "The token's email address is not verified (email_verified is not true); verify it at the identity provider.",
    );
  }
  const domain = email.slice(email.lastIndexOf("@") + 1).toLowerCase();
  if (!email.includes("@") || !domains.includes(domain)) {
    throw new WritError(
      "identity.email_domain_not_allowed",
      "The token's email address is in a domain this identity provider may not assert for this server (its emailDomains).",
    );
  }
}

function claimAt(claims: JWTPayload, path: string): unknown {
  let value: unknown = claims;
  for (const segment of path.split(".")) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, segment))
      return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}
