/** An Ed25519 public key as a JWK (RFC 8037). */
export interface Ed25519PublicJwk {
  readonly kty: "OKP";
  readonly crv: "Ed25519";
  readonly x: string;
  readonly kid?: string;
  readonly alg?: "EdDSA" | "Ed25519";
  readonly use?: "sig";
}

/** An Ed25519 private key as a JWK. Keep it out of logs, tokens and ledgers. */
export interface Ed25519PrivateJwk extends Ed25519PublicJwk {
  readonly d: string;
}

export interface JsonWebKeySet<K = Ed25519PublicJwk> {
  readonly keys: readonly K[];
}
