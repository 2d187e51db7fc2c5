import { WritError } from "@writ/core";
import type { ApiKeyScope } from "@writ/store";
import type { Caller } from "../auth/caller.js";

/** What each scope includes: admin everything, approve reading too. */
const INCLUDED: Readonly<Record<ApiKeyScope, readonly ApiKeyScope[]>> = {
  admin: ["admin", "approve", "read", "guard"],
  approve: ["approve", "read"],
  read: ["read"],
  guard: ["guard"],
};

/** Whether scopes held include `scope`. */
export function hasScope(scopes: readonly ApiKeyScope[], scope: ApiKeyScope): boolean {
  return scopes.some((held) => INCLUDED[held].includes(scope));
}

/** An API key or console session with `scope` (or one that includes it); agents are refused. */
export function requireScope(caller: Caller, scope: ApiKeyScope): void {
  if (caller.kind === "agent") {
    throw new WritError("auth.forbidden", "Agents may not call this route; use an API key.");
  }
  if (!hasScope(caller.scopes, scope)) {
    throw new WritError(
      "auth.forbidden",
      caller.kind === "session"
        ? `A console ${caller.role} may not do this: it needs the "${scope}" scope.`
        : `This route needs an API key with the "${scope}" scope.`,
    );
  }
}

/** An operator key: admin scope and no tenant. For what spans tenants (issuer keys, the whole ledger, shared agents). */
export function requireOperator(caller: Caller, what = "This route spans every tenant"): void {
  requireScope(caller, "admin");
  if (caller.tenant !== undefined) {
    throw new WritError(
      "auth.forbidden",
      `${what}: it needs an operator API key (one with no tenant).`,
    );
  }
}

/**
 * Hides what belongs to another tenant: to a tenant's key, a record of
 * another tenant (or of none) does not exist. Answering "forbidden" would
 * tell it the id is taken.
 */
export function assertVisible(
  caller: Caller,
  owner: string | null | undefined,
  what: string,
  id: string,
): void {
  if (caller.tenant !== undefined && (owner ?? undefined) !== caller.tenant) {
    throw notFound(what, id);
  }
}

export function isVisible(caller: Caller, owner: string | null | undefined): boolean {
  return caller.tenant === undefined || (owner ?? undefined) === caller.tenant;
}

/** The tenant a write lands in: a tenant's key writes only into its tenant. */
export function writeTenant(caller: Caller, requested: string | undefined): string | undefined {
  if (caller.tenant === undefined) return requested;
  if (requested !== undefined && requested !== caller.tenant) {
    throw new WritError("auth.forbidden", "A tenant's API key can only write into its own tenant.");
  }
  return caller.tenant;
}

export function notFound(what: string, id: string): WritError {
  return new WritError("store.not_found", `No ${what} "${id}".`, { name: id });
}
