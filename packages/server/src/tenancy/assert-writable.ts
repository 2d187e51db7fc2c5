import { WritError } from "@writ/core";
import type { Caller } from "../auth/caller.js";

/**
 * A tenant's key may create an id or change its own record, never take over
 * another tenant's: ids are global, so that answer does say the id is taken.
 */
export function assertWritable(
  caller: Caller,
  existing: { readonly tenant?: string | undefined } | undefined,
  what: string,
  id: string,
): void {
  if (caller.tenant === undefined || existing === undefined) return;
  if (existing.tenant !== caller.tenant) {
    throw new WritError("store.conflict", `The ${what} id "${id}" is taken; choose another.`, {
      name: id,
    });
  }
}
