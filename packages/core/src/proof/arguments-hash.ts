import { canonicalJson } from "../encoding/canonical-json.js";
import { sha256Base64Url } from "../encoding/sha256.js";

/** `ahs`: base64url SHA-256 of the RFC 8785 canonical JSON of the parsed arguments. */
export function argumentsHash(args: unknown): string {
  return sha256Base64Url(canonicalJson(args ?? {}));
}
