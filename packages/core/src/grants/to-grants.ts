import type { Grant } from "./grant.js";
import { parseGrantText } from "./grant-text.js";
import { parseGrants } from "./validate-grants.js";

/** Accepts grants as JSON or in the compact text form, validated either way. */
export function toGrants(input: readonly Grant[] | string): Grant[] {
  return typeof input === "string" ? parseGrantText(input) : parseGrants(input);
}
