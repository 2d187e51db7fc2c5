import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { isWritError } from "@writ/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ClientMetadataDocuments,
  isPublicAddress,
} from "../src/oauth/client-metadata-documents.js";

/** The code of the WritError a promise rejects with. */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  return isWritError(error) ? error.code : `no WritError: ${String(error)}`;
}

describe("Client ID Metadata Documents", () => {
  let server: Server;
  let origin: string;
  const clock = () => 1_800_000_000_000;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const self = `${origin}${req.url}`;
      if (req.url === "/client.json") {
        res.setHeader("content-type", "application/json");
        res.end(
          JSON.stringify({
            client_id: self,
            client_name: "Example client",
            redirect_uris: ["http://127.0.0.1:9/callback"],
          }),
        );
      } else if (req.url === "/other.json") {
        res.end(
          JSON.stringify({
            client_id: "https://elsewhere.example/client.json",
            redirect_uris: ["https://a.example/cb"],
          }),
        );
      } else if (req.url === "/large.json") {
        res.end(
          JSON.stringify({
            client_id: self,
            redirect_uris: ["https://a.example/cb"],
            pad: "x".repeat(6000),
          }),
        );
      } else if (req.url === "/moved.json") {
        res.writeHead(302, { location: "/client.json" }).end();
      } else if (req.url === "/script.json") {
        res.end(JSON.stringify({ client_id: self, redirect_uris: ["javascript:alert(1)"] }));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("knows which addresses are public", () => {
    for (const address of [
      "127.0.0.1",
      "10.1.2.3",
      "172.20.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "::1",
      "::",
      "fd00::1",
      "fe80::1",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "224.0.0.1",
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
    for (const address of ["8.8.8.8", "1.1.1.1", "2001:4860:4860::8888"]) {
      expect(isPublicAddress(address), address).toBe(true);
    }
  });

  it("never fetches over http, from a private address, or from a name that resolves to one", async () => {
    const documents = new ClientMetadataDocuments({ allowPrivateAddresses: false, clock });
    expect(await codeOf(documents.resolve(`${origin}/client.json`))).toBe("oauth.invalid_client");
    expect(await codeOf(documents.resolve("https://127.0.0.1/client.json"))).toBe(
      "oauth.invalid_client",
    );
    expect(await codeOf(documents.resolve("https://[::ffff:127.0.0.1]/client.json"))).toBe(
      "oauth.invalid_client",
    );
    expect(await codeOf(documents.resolve("https://[::1]/client.json"))).toBe(
      "oauth.invalid_client",
    );
    // localhost resolves to loopback: refused where the connection is made.
    expect(await codeOf(documents.resolve("https://localhost/client.json"))).toBe(
      "oauth.invalid_client",
    );
    expect(await codeOf(documents.resolve("https://example.com/"))).toBe("oauth.invalid_client");
  });

  it("takes a document whose client_id is its own URL, and nothing else", async () => {
    const documents = new ClientMetadataDocuments({ allowPrivateAddresses: true, clock });
    const client = await documents.resolve(`${origin}/client.json`);
    expect(client).toMatchObject({
      client_id: `${origin}/client.json`,
      client_name: "Example client",
      redirect_uris: ["http://127.0.0.1:9/callback"],
      token_endpoint_auth_method: "none",
    });
    expect(await codeOf(documents.resolve(`${origin}/other.json`))).toBe("oauth.invalid_client");
    expect(await codeOf(documents.resolve(`${origin}/large.json`))).toBe("oauth.invalid_client");
    expect(await codeOf(documents.resolve(`${origin}/moved.json`))).toBe("oauth.invalid_client");
    expect(await codeOf(documents.resolve(`${origin}/script.json`))).toBe(
      "oauth.invalid_client_metadata",
    );
    expect(await codeOf(documents.resolve(`${origin}/missing.json`))).toBe("oauth.invalid_client");
  });
});
