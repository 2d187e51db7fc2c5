import {
  IssuerKeySet,
  importPublicKey,
  issuerKeysFromJwks,
  jwkThumbprint,
  KeyPair,
  WritError,
} from "@writ/core";
import { describe, expect, it } from "vitest";

// RFC 8037 Appendix A.
const RFC8037_PRIVATE = {
  kty: "OKP",
  crv: "Ed25519",
  d: "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
  x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
} as const;

describe("keys", () => {
  it("computes the RFC 8037 A.3 thumbprint", () => {
    expect(jwkThumbprint(RFC8037_PRIVATE)).toBe("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    expect(KeyPair.fromPrivateJwk(RFC8037_PRIVATE).thumbprint).toBe(
      "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",
    );
  });

  it("produces the RFC 8037 A.4 signature", () => {
    const key = KeyPair.fromPrivateJwk(RFC8037_PRIVATE);
    const signingInput = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
    expect(key.sign(Buffer.from(signingInput)).toString("base64url")).toBe(
      "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg",
    );
  });

  it("round-trips a generated key through its private JWK", () => {
    const key = KeyPair.generate();
    expect(KeyPair.fromPrivateJwk(key.exportPrivateJwk()).thumbprint).toBe(key.thumbprint);
  });

  it("never prints the private key", () => {
    const key = KeyPair.generate();
    expect(JSON.stringify(key)).not.toContain(key.exportPrivateJwk().d);
  });

  it.each([
    ["an RSA key", { kty: "RSA", n: "x", e: "AQAB" }],
    ["a P-256 key", { kty: "EC", crv: "P-256", x: "a", y: "b" }],
    ["a private member", { ...RFC8037_PRIVATE }],
    [
      "an unknown member",
      { kty: "OKP", crv: "Ed25519", x: RFC8037_PRIVATE.x, x5u: "https://evil" },
    ],
    ["a short x", { kty: "OKP", crv: "Ed25519", x: "AAAA" }],
  ])("refuses %s as a public key", (_name, jwk) => {
    expect(() => importPublicKey(jwk)).toThrow(expect.objectContaining({ code: "key.invalid" }));
  });

  it("refuses a private JWK whose x is not the public half of d", () => {
    const other = KeyPair.generate().publicJwk.x;
    expect(() => KeyPair.fromPrivateJwk({ ...RFC8037_PRIVATE, x: other })).toThrow(WritError);
  });
});

describe("IssuerKeySet", () => {
  it("keeps old keys verifying after rotation until they are retired", () => {
    const keys = IssuerKeySet.generate("writ:acme");
    const first = keys.active.kid;
    const second = keys.rotate();
    expect(keys.active.kid).toBe(second);
    expect(keys.publicKey(first)).toBeDefined();
    expect(keys.statusOf(first)).toBe("verifying");
    keys.retire(first);
    expect(keys.publicKey(first)).toBeUndefined();
    expect(keys.jwks().keys.map((key) => key.kid)).toEqual([second]);
  });

  it("refuses to retire the active key", () => {
    const keys = IssuerKeySet.generate("writ:acme");
    expect(() => keys.retire(keys.active.kid)).toThrow(/rotate to a new key/);
  });

  it("survives export and import, and serializes as its public JWKS only", () => {
    const keys = IssuerKeySet.generate("writ:acme");
    keys.rotate();
    const restored = IssuerKeySet.fromPrivate(keys.exportPrivate());
    expect(restored.jwks()).toEqual(keys.jwks());
    expect(JSON.stringify(keys)).not.toContain('"d"');
  });

  it("can be trusted from a published JWKS", () => {
    const keys = IssuerKeySet.generate("writ:acme");
    const trusted = issuerKeysFromJwks("writ:acme", keys.jwks());
    expect(trusted.publicKey(keys.active.kid)?.thumbprint).toBe(keys.active.key.thumbprint);
    expect(trusted.publicKey("unknown")).toBeUndefined();
  });
});

describe("KeyPair.fromSeed", () => {
  it("derives the RFC 8037 key from its seed (d)", () => {
    const seed = Buffer.from(RFC8037_PRIVATE.d, "base64url");
    expect(KeyPair.fromSeed(seed).publicJwk.x).toBe(RFC8037_PRIVATE.x);
  });

  it("refuses seeds that are not 32 bytes", () => {
    expect(() => KeyPair.fromSeed(new Uint8Array(31))).toThrow(TypeError);
  });
});
