import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { decodeBase64Url } from "../encoding/base64url.js";
import { WritError } from "../errors.js";
import type { Ed25519PublicJwk } from "./jwk.js";
import { jwkThumbprint } from "./jwk-thumbprint.js";

const PUBLIC_MEMBERS = new Set(["kty", "crv", "x", "kid", "alg", "use"]);
/** RFC 8037's Ed25519 public key, nothing more: what a key embedded in a token header may carry. */
const HEADER_MEMBERS = new Set(["kty", "crv", "x"]);

/** A verified-shape Ed25519 public key, ready to check signatures. */
export class PublicKey {
  readonly jwk: Ed25519PublicJwk;
  /** RFC 7638 thumbprint: the key's identity in `cnf.jkt`, revocations and key ids. */
  readonly thumbprint: string;
  readonly keyObject: KeyObject;

  /** @internal use importPublicKey() */
  constructor(jwk: Ed25519PublicJwk, keyObject: KeyObject) {
    this.jwk = { kty: "OKP", crv: "Ed25519", x: jwk.x };
    this.thumbprint = jwkThumbprint(jwk);
    this.keyObject = keyObject;
  }

  verify(data: Uint8Array, signature: Uint8Array): boolean {
    return signature.length === 64 && verify(null, data, this.keyObject, signature);
  }
}

/**
 * Imports an Ed25519 public JWK. Anything else — other key types, private
 * members, unknown members, wrong lengths — is refused with `key.invalid`.
 */
export function importPublicKey(jwk: unknown): PublicKey {
  assertEd25519Jwk(jwk, false);
  const keyObject = createPublicKey({
    key: { kty: "OKP", crv: "Ed25519", x: jwk.x },
    format: "jwk",
  });
  return new PublicKey(jwk, keyObject);
}

/**
 * Imports the key a token header embeds (`jwk` of a delegated hop, of a proof
 * or of an agent's token): exactly `kty`, `crv` and `x`. A registered key may
 * also name itself (`kid`, `alg`, `use`); an embedded one has no use for
 * those, and some of their values (another `alg`, a `use` other than "sig")
 * make jose refuse the token, while Writ must accept nothing jose refuses.
 */
export function importHeaderKey(jwk: unknown): PublicKey {
  if (jwk !== null && typeof jwk === "object") {
    for (const member of Object.keys(jwk)) {
      if (!HEADER_MEMBERS.has(member)) {
        throw new WritError(
          "key.invalid",
          "A key embedded in a token header carries exactly kty, crv and x.",
        );
      }
    }
  }
  return importPublicKey(jwk);
}

/** Throws `key.invalid` unless `jwk` is a well-formed Ed25519 JWK (public, or private when allowed). */
export function assertEd25519Jwk(
  jwk: unknown,
  allowPrivate: boolean,
): asserts jwk is Ed25519PublicJwk & { d?: string } {
  if (jwk === null || typeof jwk !== "object" || Array.isArray(jwk)) {
    throw new WritError("key.invalid", "A key must be a JWK object.");
  }
  const record = jwk as Record<string, unknown>;
  if (record.kty !== "OKP" || record.crv !== "Ed25519") {
    throw new WritError(
      "key.invalid",
      'Writ keys are Ed25519 only: expected kty "OKP" and crv "Ed25519".',
    );
  }
  for (const member of Object.keys(record)) {
    if (member === "d" && allowPrivate) continue;
    if (member === "d") {
      throw new WritError(
        "key.invalid",
        "Expected a public key, but the JWK holds a private member (d).",
      );
    }
    if (!PUBLIC_MEMBERS.has(member)) {
      throw new WritError(
        "key.invalid",
        `The JWK has a member Writ does not accept: "${member}".`,
        { name: member },
      );
    }
  }
  if (!isKeyBytes(record.x)) {
    throw new WritError(
      "key.invalid",
      'The JWK member "x" must be 32 bytes of unpadded base64url.',
    );
  }
  if (allowPrivate && !isKeyBytes(record.d)) {
    throw new WritError(
      "key.invalid",
      'The JWK member "d" must be 32 bytes of unpadded base64url.',
    );
  }
}

function isKeyBytes(value: unknown): value is string {
  return typeof value === "string" && decodeBase64Url(value)?.length === 32;
}
