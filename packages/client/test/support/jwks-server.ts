import { generateKeyPairSync, randomUUID, sign } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A JWKS endpoint and the ES256 key behind it, for JWT access tokens (RFC 9068) minted in the test. */
export async function startJwksServer(issuer: string): Promise<{
  readonly jwksUri: string;
  sign(claims: Record<string, unknown>): string;
  close(): Promise<void>;
}> {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = { ...publicKey.export({ format: "jwk" }), kid: "at-key", alg: "ES256", use: "sig" };
  const server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return {
    jwksUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`,
    sign: (claims) => {
      const now = Math.floor(Date.now() / 1000);
      const input = `${encode({ alg: "ES256", typ: "at+jwt", kid: "at-key" })}.${encode({ iss: issuer, iat: now, exp: now + 300, jti: randomUUID(), ...claims })}`;
      const signature = sign("sha256", Buffer.from(input), {
        key: privateKey,
        dsaEncoding: "ieee-p1363",
      });
      return `${input}.${signature.toString("base64url")}`;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
