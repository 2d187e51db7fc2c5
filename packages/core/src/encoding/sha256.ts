import { hash } from "node:crypto";

/** base64url SHA-256 of a string (UTF-8) or bytes. */
export function sha256Base64Url(input: string | Uint8Array): string {
  return hash("sha256", input, "base64url");
}

/** hex SHA-256, used where a hash is a database key or an audit field. */
export function sha256Hex(input: string | Uint8Array): string {
  return hash("sha256", input, "hex");
}
