import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { CredentialKeyring, KEK_VARIABLE, keyringFromEnvironment } from "@writ/broker";
import { WritError } from "@writ/core";
import { describe, expect, it } from "vitest";

const keyA = randomBytes(32);
const keyB = randomBytes(32);

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof WritError) return error.code;
    throw error;
  }
  return undefined;
}

describe("CredentialKeyring", () => {
  const keyring = new CredentialKeyring({ keys: [{ id: "a", key: keyA }] });

  it("seals with AES-256-GCM under a fresh data key each time, and opens only in the same context", () => {
    const one = keyring.seal("secret-token", "ctx-1");
    const two = keyring.seal("secret-token", "ctx-1");
    expect(one.keyId).toBe("a");
    expect(one.ciphertext).toMatch(/^wk1\.a\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(one.ciphertext).not.toBe(two.ciphertext);
    expect(one.ciphertext).not.toContain("secret-token");
    expect(keyring.open(one, "ctx-1")).toBe("secret-token");
    expect(codeOf(() => keyring.open(one, "ctx-2"))).toBe("store.corrupt");
    // One bit of the sealed bytes flipped (editing the text's last characters may only
    // touch base64url's unused padding bits, which decode to the same bytes).
    const segments = one.ciphertext.split(".");
    const sealedBytes = Buffer.from(segments.at(-1) as string, "base64url");
    sealedBytes[0] = (sealedBytes[0] as number) ^ 1;
    const flipped = [...segments.slice(0, -1), sealedBytes.toString("base64url")].join(".");
    expect(codeOf(() => keyring.open({ ...one, ciphertext: flipped }, "ctx-1"))).toBe(
      "store.corrupt",
    );
    expect(codeOf(() => keyring.open({ ...one, keyId: "b" }, "ctx-1"))).toBe("store.corrupt");
    expect(codeOf(() => keyring.open({ keyId: "a", ciphertext: "wk1.a.x" }, "ctx-1"))).toBe(
      "store.corrupt",
    );
  });

  it("re-wraps the data key under the active key without touching the content", () => {
    const sealed = keyring.seal("refresh-token", "ctx");
    const next = new CredentialKeyring({
      keys: [
        { id: "b", key: keyB.toString("base64url") },
        { id: "a", key: keyA.toString("base64") },
      ],
    });
    expect(next.activeKeyId).toBe("b");
    expect(next.keyIds).toEqual(["b", "a"]);
    const rewrapped = next.rewrap(sealed);
    expect(rewrapped.keyId).toBe("b");
    expect(rewrapped.ciphertext.split(".")[3]).toBe(sealed.ciphertext.split(".")[3]);
    const onlyB = new CredentialKeyring({ keys: [{ id: "b", key: keyB }] });
    expect(onlyB.open(rewrapped, "ctx")).toBe("refresh-token");
    expect(codeOf(() => onlyB.open(sealed, "ctx"))).toBe("key.unknown");
    expect(
      new CredentialKeyring({
        keys: next.keyIds.map((id) => ({ id, key: id === "a" ? keyA : keyB })),
        active: "a",
      }).activeKeyId,
    ).toBe("a");
  });

  it("never shows key material, and refuses bad keys without echoing them", () => {
    const text = `${JSON.stringify(keyring)} ${inspect(keyring)} ${String(keyring)}`;
    expect(text).not.toContain(keyA.toString("base64"));
    expect(text).not.toContain(keyA.toString("hex"));
    expect(JSON.parse(JSON.stringify(keyring))).toEqual({ activeKeyId: "a", keyIds: ["a"] });
    const short = randomBytes(16).toString("base64");
    expect(() => new CredentialKeyring({ keys: [{ id: "a", key: short }] })).toThrow(TypeError);
    try {
      new CredentialKeyring({ keys: [{ id: "a", key: short }] });
    } catch (error) {
      expect(String(error)).not.toContain(short);
    }
    expect(() => new CredentialKeyring({ keys: [] })).toThrow(TypeError);
    expect(() => new CredentialKeyring({ keys: [{ id: "a.b", key: keyA }] })).toThrow(TypeError);
    expect(
      () =>
        new CredentialKeyring({
          keys: [
            { id: "a", key: keyA },
            { id: "a", key: keyB },
          ],
        }),
    ).toThrow(TypeError);
    expect(() => new CredentialKeyring({ keys: [{ id: "a", key: keyA }], active: "z" })).toThrow(
      TypeError,
    );
  });
});

describe("keyringFromEnvironment", () => {
  it(`reads ${KEK_VARIABLE}: id:base64 entries, the first active; a lone key is "default"`, () => {
    const lone = keyringFromEnvironment({ [KEK_VARIABLE]: keyA.toString("base64") });
    expect(lone.keyIds).toEqual(["default"]);
    const two = keyringFromEnvironment({
      [KEK_VARIABLE]: `k2:${keyB.toString("base64")}, k1:${keyA.toString("base64")}`,
    });
    expect(two.keyIds).toEqual(["k2", "k1"]);
    const sealed = lone.seal("x", "c");
    expect(
      keyringFromEnvironment({ SOME_KEK: `default:${keyA.toString("base64")}` }, "SOME_KEK").open(
        sealed,
        "c",
      ),
    ).toBe("x");
  });

  it("says how to set it when it is missing or malformed, never echoing a key", () => {
    expect(() => keyringFromEnvironment({})).toThrow(/openssl rand -base64 32/);
    const secret = keyA.toString("base64");
    for (const value of [`${secret},${keyB.toString("base64")}`, `k1:${secret.slice(0, 20)}`]) {
      let message = "";
      try {
        keyringFromEnvironment({ [KEK_VARIABLE]: value });
      } catch (error) {
        expect(error).toBeInstanceOf(TypeError);
        message = String(error);
      }
      expect(message).not.toBe("");
      expect(message).not.toContain(secret.slice(0, 20));
    }
  });
});
