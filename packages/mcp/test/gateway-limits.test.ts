import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { createGateway, type GatewayOptions } from "../src/index.js";
import { gatewayWorld, RAW_INITIALIZE } from "./gateway-fixture.js";
import { createWorld } from "./world.js";

const PROBE = fileURLToPath(new URL("./fixtures/probe-server.mjs", import.meta.url));
const probe = { command: process.execPath, args: [PROBE], stderr: "ignore" as const };

async function limited(options: Omit<Partial<GatewayOptions>, "guard" | "upstreams" | "onEvent">) {
  const w = await gatewayWorld({
    permissions: "probe.*",
    policy: "probe.*",
    upstreams: () => ({ probe }),
    ...options,
  });
  onTestFinished(() => w.close());
  /** Opens an MCP session with the writ of `session`: the HTTP status, and the session id or the error. */
  const open = async (session = w.session) => {
    const response = await fetch(w.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        authorization: `DPoP ${session.writ.toString()}`,
      },
      body: RAW_INITIALIZE,
    });
    const body = (await response.json()) as {
      error?: { data?: { code?: string }; message: string };
    };
    return {
      status: response.status,
      id: response.headers.get("mcp-session-id"),
      error: body.error,
    };
  };
  const end = (id: string, session = w.session) =>
    fetch(w.url, {
      method: "DELETE",
      headers: { authorization: `DPoP ${session.writ.toString()}`, "mcp-session-id": id },
    });
  return { w, open, end };
}

describe("the gateway's MCP sessions", () => {
  it("are bounded per principal: one more is refused with 429, saying which limit and what to do", async () => {
    const { w, open, end } = await limited({ maxSessionsPerPrincipal: 2 });
    const first = await open();
    await open();
    const refused = await open();
    expect(refused).toMatchObject({
      status: 429,
      error: {
        data: { code: "gateway.mcp_session_limit" },
        message: expect.stringContaining("maxSessionsPerPrincipal"),
      },
    });
    // Another agent of the same user is another principal.
    expect((await open(w.delegate("probe.*"))).status).toBe(200);
    await end(first.id as string);
    expect((await open()).status).toBe(200);
  });

  it("are bounded in all", async () => {
    const { w, open } = await limited({ maxSessions: 2 });
    await open();
    await open(w.delegate("probe.*"));
    expect(await open()).toMatchObject({
      status: 429,
      error: { message: expect.stringContaining("maxSessions") },
    });
  });

  it("are closed once idle for sessionIdleMs", async () => {
    const { w, open } = await limited({ sessionIdleMs: 100 });
    const { id } = await open();
    // Asked less often than the session idles out: the asking must not keep it alive.
    await expect
      .poll(
        async () => {
          const response = await fetch(w.url, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              accept: "application/json, text/event-stream",
              authorization: `DPoP ${w.session.writ.toString()}`,
              "mcp-session-id": id as string,
            },
            body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "ping" }),
          });
          return response.status;
        },
        { interval: 400 },
      )
      .toBe(404);
  });
});

describe("a stdio upstream that fails", () => {
  it("leaves what it wrote to stderr where an operator reads it: the down event and the gateway's status", async () => {
    const w = await gatewayWorld({
      permissions: "*",
      policy: "*",
      restartBackoff: { initialMs: 60_000, maxMs: 60_000 },
      upstreams: () => ({
        broken: {
          command: process.execPath,
          args: [
            "-e",
            'console.error("cannot open /etc/app.conf: permission denied"); process.exit(2)',
          ],
          stderr: "ignore",
        },
      }),
    });
    onTestFinished(() => w.close());
    expect(w.events.find((event) => event.type === "upstream.down")).toMatchObject({
      reason: expect.stringContaining("exited with code 2"),
      stderr: expect.stringContaining("permission denied"),
    });
    expect(w.gateway.status().broken).toMatchObject({
      connected: false,
      stderr: expect.stringContaining("cannot open /etc/app.conf"),
    });
  });
});

describe("createGateway's options", () => {
  it("refuse a key they do not know, naming it", async () => {
    const { guard } = await createWorld({
      permissions: "*",
      policy: "*",
      audience: "http://127.0.0.1:8787/mcp",
    });
    expect(() =>
      createGateway({ guard, upstreams: { probe }, sessionIdleMS: 5 } as unknown as GatewayOptions),
    ).toThrow(/unknown option "sessionIdleMS"/);
    expect(() =>
      createGateway({
        guard,
        upstreams: { probe: { ...probe, comand: "x" } },
      } as unknown as GatewayOptions),
    ).toThrow(/upstream "probe": unknown option "comand"/);
  });
});
