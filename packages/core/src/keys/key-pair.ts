import { type KeyObject, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from "node:crypto";
import { WritError } from "../errors.js";
import type { Ed25519PrivateJwk, Ed25519PublicJwk } from "./jwk.js";
import { PublicKey, assertEd25519Jwk } from "./public-key.js";

/** An Ed25519 key pair. The private half never leaves unless exported on purpose. */
export class KeyPair {
  readonly publicKey: PublicKey;
  readonly #privateKey: KeyObject;

  private constructor(privateKey: KeyObject) {
    this.#privateKey = privateKey;
    const jwk = createPublicKey(privateKey).export({ format: "jwk" }) as unknown as Ed25519PublicJwk;
    this.publicKey = new PublicKey(jwk, createPublicKey(privateKey));
  }

  static generate(): KeyPair {
    return new KeyPair(generateKeyPairSync("ed25519").privateKey);
  }

  /** Imports a private Ed25519 JWK, checking that its public half matches. */
  static fromPrivateJwk(jwk: unknown): KeyPair {
    assertEd25519Jwk(jwk, true);
    if (jwk.d === undefined) {
      throw new WritError("key.invalid", 'Expected a private key, but the JWK has no "d" member.');
    }
    const pair = new KeyPair(createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", x: jwk.x, d: jwk.d }, format: "jwk" }));
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
