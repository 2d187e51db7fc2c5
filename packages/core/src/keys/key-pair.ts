import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from "node:crypto";
import { WritError } from "../errors.js";
import type { Ed25519PrivateJwk, Ed25519PublicJwk } from "./jwk.js";
import { assertEd25519Jwk, PublicKey } from "./public-key.js";

/** DER prefix of a PKCS #8 Ed25519 private key (RFC 8410); the 32-byte seed follows it. */
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** An Ed25519 key pair. The private half never leaves unless exported on purpose. */
export class KeyPair {
  readonly publicKey: PublicKey;
  readonly #privateKey: KeyObject;

  private constructor(privateKey: KeyObject) {
    this.#privateKey = privateKey;
    const jwk = createPublicKey(privateKey).export({
      format: "jwk",
    }) as unknown as Ed25519PublicJwk;
    this.publicKey = new PublicKey(jwk, createPublicKey(privateKey));
  }

  static generate(): KeyPair {
    return new KeyPair(generateKeyPairSync("ed25519").privateKey);
  }

  /**
   * Derives the key pair from a 32-byte Ed25519 seed (RFC 8032 private key).
   * For reproducible keys in tests and vectors; use generate() otherwise.
   */
  static fromSeed(seed: Uint8Array): KeyPair {
    if (seed.length !== 32) throw new TypeError(`An Ed25519 seed is 32 bytes, got ${seed.length}.`);
    return new KeyPair(
      createPrivateKey({
        key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
        format: "der",
        type: "pkcs8",
      }),
    );
  }

  /** Imports a private Ed25519 JWK, checking that its public half matches. */
  static fromPrivateJwk(jwk: unknown): KeyPair {
    assertEd25519Jwk(jwk, true);
    if (jwk.d === undefined) {
      throw new WritError("key.invalid", 'Expected a private key, but the JWK has no "d" member.');
    }
    const pair = new KeyPair(
      createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", x: jwk.x, d: jwk.d }, format: "jwk" }),
    );
    if (pair.publicKey.jwk.x !== jwk.x) {
      throw new WritError("key.invalid", 'The JWK\'s "x" is not the public half of its "d".');
    }
    return pair;
  }

  get thumbprint(): string {
    return this.publicKey.thumbprint;
  }

  get publicJwk(): Ed25519PublicJwk {
    return this.publicKey.jwk;
  }

  sign(data: Uint8Array): Buffer {
    return sign(null, data, this.#privateKey);
  }

  /** The private JWK, for storing the key. Treat the result as a secret. */
  exportPrivateJwk(): Ed25519PrivateJwk {
    const { x, d } = this.#privateKey.export({ format: "jwk" }) as { x: string; d: string };
    return { kty: "OKP", crv: "Ed25519", x, d };
  }

  /** Keeps the private key out of console.log, JSON and util.inspect. */
  toJSON(): { publicJwk: Ed25519PublicJwk; thumbprint: string } {
    return { publicJwk: this.publicJwk, thumbprint: this.thumbprint };
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `KeyPair(Ed25519, ${this.thumbprint})`;
  }
}
