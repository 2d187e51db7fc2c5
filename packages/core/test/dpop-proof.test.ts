import { constants, createHash, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DpopProofVerifier, dpopKeyThumbprint } from "../src/backend/index.js";

const NOW = 1_800_000_000_000;
const URL_ = "https://writ.example.com/oauth/token";
const ACCESS_TOKEN = "eyJ.an-access-token.sig";

type Alg = "ES256" | "ES384" | "EdDSA" | "PS256" | "RS256";

function keyFor(alg: Alg): { privateKey: KeyObject; jwk: Record<string, unknown> } {
  const { privateKey, publicKey } =
    alg === "EdDSA"
      ? generateKeyPairSync("ed25519")
      : alg === "ES256" || alg === "ES384"
        ? generateKeyPairSync("ec", { namedCurve: alg === "ES256" ? "P-256" : "P-384" })
        : generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { privateKey, jwk: publicKey.export({ format: "jwk" }) as Record<string, unknown> };
}

/** A DPoP proof as a client makes one (RFC 9449 §4.2), with any header or claim overridden. */
function proofOf(
  key: ReturnType<typeof keyFor>,
  alg: Alg,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const input = `${encode({ typ: "dpop+jwt", alg, jwk: key.jwk, ...header })}.${encode({
    jti: `jti-${Math.random()}`,
    htm: "POST",
    htu: URL_,
    iat: NOW / 1000,
    ...claims,
  })}`;
  const digest = alg === "EdDSA" ? null : alg === "ES384" ? "sha384" : "sha256";
  const options =
    alg === "ES256" || alg === "ES384"
      ? { dsaEncoding: "ieee-p1363" as const }
      : alg === "PS256"
        ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
        : {};
  const signature = sign(digest, Buffer.from(input), { key: key.privateKey, ...options });
  return `${input}.${signature.toString("base64url")}`;
}

const at = { method: "POST", url: URL_ };

describe("a DPoP proof (RFC 9449)", () => {
  it.each(["ES256", "ES384", "EdDSA", "PS256", "RS256"] as const)(
    "signed with %s by the key in its header is accepted, naming that key's RFC 7638 thumbprint",
    (alg) => {
      const key = keyFor(alg);
      const verified = new DpopProofVerifier().verify(proofOf(key, alg), at, NOW);
      expect(verified.thumbprint).toBe(dpopKeyThumbprint(key.jwk));
    },
  );

  it("has the RFC 7638 §3.1 thumbprint for the RFC's example key", () => {
    const jwk = {
      kty: "RSA",
      n: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
      e: "AQAB",
      alg: "RS256",
      kid: "2011-04-29",
    };
    expect(dpopKeyThumbprint(jwk)).toBe("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  });

  it("at a resource, is bound to the access token (ath) and the token's key (cnf.jkt)", () => {
    const key = keyFor("ES256");
    const ath = createHash("sha256").update(ACCESS_TOKEN).digest("base64url");
    const resource = { ...at, accessToken: ACCESS_TOKEN, thumbprint: dpopKeyThumbprint(key.jwk) };
    const verifier = new DpopProofVerifier();
    expect(verifier.verify(proofOf(key, "ES256", { ath }), resource, NOW).thumbprint).toBe(
      resource.thumbprint,
    );
    expect(() => verifier.verify(proofOf(key, "ES256"), resource, NOW)).toThrow(
      expect.objectContaining({ code: "dpop.wrong_token" }),
    );
    const other = keyFor("ES256");
    expect(() => verifier.verify(proofOf(other, "ES256", { ath }), resource, NOW)).toThrow(
      expect.objectContaining({ code: "dpop.key_mismatch" }),
    );
  });

  it("is refused when it is anything but a fresh, single-use proof for this request", () => {
    const key = keyFor("EdDSA");
    const verifier = new DpopProofVerifier();
    const refused = (proof: string | undefined, expected = at) => {
      try {
        verifier.verify(proof, expected, NOW);
      } catch (error) {
        return (error as { code: string }).code;
      }
      return "accepted";
    };
    expect(refused(undefined)).toBe("dpop.missing");
    expect(refused(proofOf(key, "EdDSA", { htm: "GET" }))).toBe("dpop.wrong_request");
    expect(refused(proofOf(key, "EdDSA", { htu: `${URL_}x` }))).toBe("dpop.wrong_request");
    // The query and fragment are not part of htu (RFC 9449 §4.3).
    expect(refused(proofOf(key, "EdDSA", { htu: `${URL_}?a=1` }))).toBe("accepted");
    expect(refused(proofOf(key, "EdDSA", { iat: NOW / 1000 - 61 }))).toBe("dpop.stale");
    expect(refused(proofOf(key, "EdDSA", { iat: NOW / 1000 + 61 }))).toBe("dpop.stale");
    const once = proofOf(key, "EdDSA");
    expect(refused(once)).toBe("accepted");
    expect(refused(once)).toBe("dpop.replayed");
    expect(refused(proofOf(key, "EdDSA", {}, { typ: "JWT" }))).toBe("dpop.malformed");
    expect(refused(proofOf(key, "EdDSA", {}, { alg: "HS256" }))).toBe("dpop.malformed");
    expect(refused(proofOf(key, "EdDSA", {}, { alg: "none" }))).toBe("dpop.malformed");
    expect(refused(proofOf(key, "EdDSA", {}, { kid: "k" }))).toBe("dpop.malformed");
    // A key of another type than the alg names, and a private key in the header.
    expect(refused(proofOf(key, "EdDSA", {}, { jwk: keyFor("ES256").jwk }))).toBe("dpop.malformed");
    const { privateKey } = generateKeyPairSync("ed25519");
    const withPrivate = privateKey.export({ format: "jwk" });
    expect(refused(proofOf(key, "EdDSA", {}, { jwk: withPrivate }))).toBe("dpop.malformed");
    // Signed by another key than its header's.
    expect(refused(proofOf(key, "EdDSA", {}, { jwk: keyFor("EdDSA").jwk }))).toBe(
      "dpop.bad_signature",
    );
    const [header, payload, signature] = proofOf(key, "EdDSA").split(".");
    const flipped = Buffer.from(
      JSON.stringify({ jti: "x", htm: "POST", htu: URL_, iat: NOW / 1000 + 1 }),
    ).toString("base64url");
    expect(refused(`${header}.${flipped}.${signature}`)).toBe("dpop.bad_signature");
    expect(refused(`${header}.${payload}`)).toBe("dpop.malformed");
    expect(refused("x".repeat(9000))).toBe("dpop.malformed");
  });
});
