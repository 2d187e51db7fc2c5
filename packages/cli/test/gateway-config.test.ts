import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KeyPair } from "@writ/core";
import { afterAll, describe, expect, it } from "vitest";
import { gatewayConfig } from "../src/commands/gateway-config.js";

const dir = mkdtempSync(join(tmpdir(), "writ-gateway-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const resource = "http://127.0.0.1:8080/mcp";
const fs = { command: "node", args: ["../servers/fs.js", "/srv/docs"] };

describe("writ gateway's configuration", () => {
  it("passes every gateway option on, and the payload policy to the guard", () => {
    const key = KeyPair.generate();
    writeFileSync(join(dir, "gateway-key.json"), JSON.stringify(key.exportPrivateJwk()), {
      mode: 0o600,
    });
    const config = gatewayConfig(
      {
        resource,
        upstreams: { fs, crm: { url: "https://crm.example/mcp", resourceAction: "crm.read" } },
        signingKey: "gateway-key.json",
        tokenTtl: 30,
        callTimeoutMs: 5000,
        connectTimeoutMs: 2000,
        pingTimeoutMs: 1000,
        restartBackoff: { initialMs: 100, maxMs: 1000 },
        sessionIdleMs: 60_000,
        maxSessions: 100,
        maxSessionsPerPrincipal: 4,
        maxBodyBytes: 1024,
        allowedHosts: ["mcp.example"],
        payloads: { full: { actions: ["crm.*"], tools: ["read_text_file"] } },
      },
      dir,
    );
    expect(config.resource).toBe(resource);
    expect(config.payloads).toEqual({ full: { actions: ["crm.*"], tools: ["read_text_file"] } });
    expect(config.options).toMatchObject({
      tokenTtl: 30,
      callTimeoutMs: 5000,
      maxSessionsPerPrincipal: 4,
      allowedHosts: ["mcp.example"],
      upstreams: { crm: { url: "https://crm.example/mcp", resourceAction: "crm.read" } },
    });
    expect(config.options.signingKey.thumbprint).toBe(key.thumbprint);
  });

  it("keeps a key of its own in the configuration's folder when none is named, the same on every start", () => {
    const folder = mkdtempSync(join(dir, "default-key-"));
    const first = gatewayConfig({ resource, upstreams: { fs } }, folder).options.signingKey;
    const again = gatewayConfig({ resource, upstreams: { fs } }, folder).options.signingKey;
    expect(again.thumbprint).toBe(first.thumbprint);
    expect(statSync(join(folder, "gateway-key.jwk")).mode & 0o777).toBe(0o600);
    expect(readdirSync(folder)).toEqual(["gateway-key.jwk"]);
  });

  it("runs stdio upstreams from the configuration's folder, whatever folder the command runs in", () => {
    const config = gatewayConfig(
      {
        resource,
        upstreams: {
          fs,
          local: { command: "./bin/server", cwd: "../work" },
        },
      },
      dir,
    );
    expect(config.options.upstreams).toEqual({
      fs: { ...fs, cwd: dir },
      local: { command: join(dir, "bin", "server"), cwd: join(dir, "..", "work") },
    });
  });

  it("refuses a key it does not know, naming it, and a signing key it cannot read", () => {
    expect(() => gatewayConfig({ resource, upstreams: { fs }, sessionIdleMS: 5 }, dir)).toThrow(
      /unknown key "sessionIdleMS"/,
    );
    expect(() =>
      gatewayConfig({ resource, upstreams: { fs }, payloads: { full: { tool: [] } } }, dir),
    ).toThrow(/payloads\.full\.tool/);
    expect(() =>
      gatewayConfig({ resource, upstreams: { fs }, signingKey: "missing.json" }, dir),
    ).toThrow(/key file .*missing\.json does not exist/);
    // A private key other users can read is refused, as an agent's is.
    writeFileSync(
      join(dir, "shared-key.json"),
      JSON.stringify(KeyPair.generate().exportPrivateJwk()),
      {
        mode: 0o644,
      },
    );
    expect(() =>
      gatewayConfig({ resource, upstreams: { fs }, signingKey: "shared-key.json" }, dir),
    ).toThrow(expect.objectContaining({ code: "key.file_exposed" }));
    expect(() => gatewayConfig({ upstreams: { fs } }, dir)).toThrow(/needs "resource"/);
  });
});
