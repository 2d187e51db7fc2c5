import { WritError } from "@writ/core";
import { isPrincipalId } from "@writ/core/backend";
import type { JWTPayload } from "jose";

/** How an identity provider's claims name a Writ user and give Writ roles. */
export interface ClaimsMapping {
  /** The claim holding the user id. Default "sub". Its value must be a valid Writ principal id. */
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

/** The user id and mapped roles a verified token's claims give. */
export function mapClaims(
  claims: JWTPayload,
  mapping: ClaimsMapping | undefined,
): { readonly user: string; readonly roles: readonly string[] } {
  const userClaim = mapping?.user ?? "sub";
  const user = claimAt(claims, userClaim);
  if (!isPrincipalId(user)) {
    throw new WritError(
      "token.invalid",
      `The token's "${userClaim}" claim is not usable as a Writ user id (1–128 letters, digits and . _ : @ / -).`,
    );
  }
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
  return { user, roles: [...roles].sort() };
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
