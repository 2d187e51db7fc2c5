import { describe, expect, it } from "vitest";
import { createGateway, type GatewayOptions } from "../src/index.js";
import { createWorld } from "./world.js";

async function guardFor(audience: string) {
  return (await createWorld({ permissions: "*", policy: "*", audience })).guard;
}

describe("createGateway options", () => {
  it("refuses a configuration it cannot run safely, before starting anything", async () => {
    const guard = await guardFor("http://127.0.0.1:8787/mcp");
    const probe = { command: process.execPath, args: ["server.js"] };
    const bad: [string, Partial<GatewayOptions>][] = [
      ["no guard", { guard: undefined as unknown as GatewayOptions["guard"] }],
      ["no upstream", { upstreams: {} }],
      ["a name that is no action segment", { upstreams: { "fs.files": probe } }],
      ["no command and no url", { upstreams: { fs: {} as GatewayOptions["upstreams"][string] } }],
      [
        "args that are not strings",
        { upstreams: { fs: { command: "node", args: [1] as unknown as string[] } } },
      ],
      ["a url that is not http", { upstreams: { api: { url: "file:///etc/passwd" } } }],
      ["an invalid action", { upstreams: { fs: { ...probe, actions: { read: "read file" } } } }],
      ["tokens living over 60 s", { tokenTtl: 300 }],
      ["a negative timeout", { callTimeoutMs: -1 }],
    ];
    for (const [why, options] of bad) {
      expect(() => createGateway({ guard, upstreams: { fs: probe }, ...options }), why).toThrow(
        TypeError,
      );
    }
  });

  it("needs the guard's audience to be the gateway's URL", async () => {
    const guard = await guardFor("urn:writ:gateway");
    expect(() =>
      createGateway({ guard, upstreams: { api: { url: "http://127.0.0.1:1/mcp" } } }),
    ).toThrow(/public MCP URL/);
  });
});
