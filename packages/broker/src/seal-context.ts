import type { SealedField } from "@writ/core/backend";

/**
 * What a sealed value is bound to (AES-GCM additional data): the record and
 * field it is stored in. A ciphertext copied to another connection, scope set
 * or field fails to open instead of handing out another user's token.
 */
export function sealContext(field: SealedField): string {
  switch (field.kind) {
    case "refresh_token":
      return `writ.credential.v1\u0000refresh_token\u0000${field.connectionId}`;
    case "access_token":
      return `writ.credential.v1\u0000access_token\u0000${field.connectionId}\u0000${field.scopeKey}`;
    case "code_verifier":
      return `writ.credential.v1\u0000code_verifier\u0000${field.stateHash}`;
  }
}
