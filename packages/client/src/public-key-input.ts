import { type Ed25519PublicJwk, WritError } from "@writ/core";
import type { PublicKeyInput } from "@writ/core/backend";

/**
 * The public JWK of a key to register. A private key is refused here, before
 * anything is sent: private keys never leave the agent that holds them.
 */
export function publicJwkOf(input: PublicKeyInput): Ed25519PublicJwk {
  if (input === null || typeof input !== "object") {
    throw new TypeError(
      "A key to register is a public JWK, a KeyPair, a PublicKey or an agent identity.",
    );
  }
  const jwk =
    "publicJwk" in input
      ? input.publicJwk
      : "jwk" in input
        ? input.jwk
        : "key" in input
          ? input.key.publicJwk
          : input;
  if (jwk !== null && typeof jwk === "object" && "d" in jwk) {
    throw new WritError(
      "key.invalid",
      "That is a private key: register the public key only; private keys never leave the agent.",
    );
  }
  return jwk;
}
