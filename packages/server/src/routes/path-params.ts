import { z } from "@hono/zod-openapi";
import { PrincipalIdSchema } from "../schemas/common-schemas.js";

/** A principal id in the path (URL-encode ids holding `/`). */
export function idParams<const N extends string>(...names: N[]) {
  return z.object(
    Object.fromEntries(
      names.map((name) => [name, PrincipalIdSchema.openapi({ param: { name, in: "path" } })]),
    ) as Record<N, typeof PrincipalIdSchema>,
  );
}

/** Lists filtered by tenant: a tenant's key sees its own tenant only. */
export function listTenant(
  caller: { readonly tenant: string | undefined },
  requested: string | undefined,
): { readonly tenant?: string } {
  const tenant = caller.tenant ?? requested;
  if (caller.tenant !== undefined && requested !== undefined && requested !== caller.tenant) {
    return { tenant: caller.tenant };
  }
  return tenant === undefined ? {} : { tenant };
}
