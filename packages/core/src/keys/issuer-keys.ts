import { WritError } from "../errors.js";
import { assertPrincipalId } from "./agent-identity.js";
import type { Ed25519PrivateJwk, Ed25519PublicJwk, JsonWebKeySet } from "./jwk.js";
import { KeyPair } from "./key-pair.js";
import { importPublicKey, type PublicKey } from "./public-key.js";

/** What a verifier needs to trust root hops: the issuer id and its keys by `kid`. */
export interface IssuerKeys {
  readonly issuer: string;
  /** The public key for `kid`, or undefined when the kid is unknown or retired. */
  publicKey(kid: string): PublicKey | undefined;
}

export type IssuerKeyStatus = "active" | "verifying" | "retired";

interface IssuerKeyEntry {
  readonly kid: string;
  readonly pair: KeyPair;
  status: IssuerKeyStatus;
}

/** The stored form of an issuer key set (`exportPrivate()`). Holds private keys: store it as a secret. */
export interface IssuerKeySetJson {
  readonly issuer: string;
  readonly keys: readonly {
    readonly kid: string;
    readonly status: IssuerKeyStatus;
    readonly jwk: Ed25519PrivateJwk;
  }[];
}

/**
 * An issuer's signing keys with rotation: one key is active and signs new root
 * hops; keys rotated out keep verifying until they are retired, so writs issued
 * before a rotation stay valid until they expire. Key ids are RFC 7638 thumbprints.
 */
export class IssuerKeySet implements IssuerKeys {
  readonly issuer: string;
  readonly #entries: IssuerKeyEntry[];

  private constructor(issuer: string, entries: IssuerKeyEntry[]) {
    assertPrincipalId(issuer, "issuer");
    this.issuer = issuer;
    this.#entries = entries;
  }

  static generate(issuer: string): IssuerKeySet {
    const pair = KeyPair.generate();
    return new IssuerKeySet(issuer, [{ kid: pair.thumbprint, pair, status: "active" }]);
  }

  static fromPrivate(json: IssuerKeySetJson): IssuerKeySet {
    const entries = json.keys.map(({ kid, status, jwk }) => {
      const pair = KeyPair.fromPrivateJwk(jwk);
      if (pair.thumbprint !== kid) {
        throw new WritError(
          "key.invalid",
          `Issuer key "${kid}" does not match its JWK's thumbprint.`,
          { name: kid },
        );
      }
      return { kid, pair, status };
    });
    if (entries.filter((entry) => entry.status === "active").length !== 1) {
      throw new WritError("key.invalid", "An issuer key set needs exactly one active key.");
    }
    return new IssuerKeySet(json.issuer, entries);
  }

  /** The key that signs new root hops. */
  get active(): { readonly kid: string; readonly key: KeyPair } {
    const entry = this.#entries.find((candidate) => candidate.status === "active");
    if (!entry) throw new WritError("key.unknown", "The issuer key set has no active key.");
    return { kid: entry.kid, key: entry.pair };
  }

  publicKey(kid: string): PublicKey | undefined {
    const entry = this.#entries.find((candidate) => candidate.kid === kid);
    return entry && entry.status !== "retired" ? entry.pair.publicKey : undefined;
  }

  /** Generates a new active key; the previous one keeps verifying. Returns the new kid. */
  rotate(): string {
    for (const entry of this.#entries) if (entry.status === "active") entry.status = "verifying";
    const pair = KeyPair.generate();
    this.#entries.push({ kid: pair.thumbprint, pair, status: "active" });
    return pair.thumbprint;
  }

  /** Stops a rotated-out key from verifying. The active key cannot be retired: rotate first. */
  retire(kid: string): void {
    const entry = this.#entries.find((candidate) => candidate.kid === kid);
    if (!entry) throw new WritError("key.unknown", `No issuer key "${kid}".`, { name: kid });
    if (entry.status === "active") {
      throw new WritError(
        "key.invalid",
        `Issuer key "${kid}" is active: rotate to a new key before retiring it.`,
        {
          name: kid,
        },
      );
    }
    entry.status = "retired";
  }

  statusOf(kid: string): IssuerKeyStatus | undefined {
    return this.#entries.find((candidate) => candidate.kid === kid)?.status;
  }

  /** Public keys that verify (active and verifying), for `/.well-known/jwks.json`. */
  jwks(): JsonWebKeySet {
    return {
      keys: this.#entries
        .filter((entry) => entry.status !== "retired")
        .map(
          (entry) =>
            ({
              ...entry.pair.publicJwk,
              kid: entry.kid,
              alg: "EdDSA",
              use: "sig",
            }) satisfies Ed25519PublicJwk,
        ),
    };
  }

  /** The stored form, private keys included: keep it secret. */
  exportPrivate(): IssuerKeySetJson {
    return {
      issuer: this.issuer,
      keys: this.#entries.map((entry) => ({
        kid: entry.kid,
        status: entry.status,
        jwk: entry.pair.exportPrivateJwk(),
      })),
    };
  }

  /** Keeps private keys out of JSON.stringify: serializes as the public JWKS. */
  toJSON(): JsonWebKeySet {
    return this.jwks();
  }
}

/** Trusts an issuer through its published JWKS (public keys only). */
export function issuerKeysFromJwks(issuer: string, jwks: JsonWebKeySet): IssuerKeys {
  assertPrincipalId(issuer, "issuer");
  const byKid = new Map<string, PublicKey>();
  for (const jwk of jwks.keys) {
    const key = importPublicKey({ kty: jwk.kty, crv: jwk.crv, x: jwk.x });
    byKid.set(jwk.kid ?? key.thumbprint, key);
  }
  return { issuer, publicKey: (kid) => byKid.get(kid) };
}
