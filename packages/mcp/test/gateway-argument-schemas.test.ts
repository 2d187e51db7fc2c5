import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway, WRIT_META } from "../src/index.js";
import { everythingServer, type GatewayWorld, gatewayWorld } from "./gateway-fixture.js";

const PROBE = fileURLToPath(new URL("./fixtures/probe-server.mjs", import.meta.url));

const closers: (() => Promise<void>)[] = [];
let w: GatewayWorld;

beforeAll(async () => {
  w = await gatewayWorld({
    permissions: "everything.get-sum(a <= 10); checked.record; unchecked.record",
    policy: "everything.*; checked.*; unchecked.*",
    closeWith: (close) => closers.push(close),
    upstreams: () => ({
      everything: {
        ...everythingServer(),
        validateArguments: true,
      },
      // A schema in a dialect the gateway cannot check: its tools are not served.
      checked: {
        command: process.execPath,
        args: [PROBE],
        env: { PROBE_INPUT_SCHEMA: '{"$schema":"https://example.com/my-dialect","type":"object"}' },
        stderr: "ignore",
        validateArguments: true,
      },
      // The same upstream without validation serves them.
      unchecked: {
        command: process.execPath,
        args: [PROBE],
        env: { PROBE_INPUT_SCHEMA: '{"$schema":"https://example.com/my-dialect","type":"object"}' },
        stderr: "ignore",
      },
    }),
  });
}, 30_000);

afterAll(async () => {
  await w?.close();
  for (const close of closers) await close();
});

describe("an upstream whose calls are validated against the tool's published input schema", () => {
  it("forwards arguments the schema accepts", async () => {
    const client = await w.connect(w.session);
    const result = await client.callTool({ name: "get-sum", arguments: { a: 2, b: 3 } });
    expect(result.isError).toBeFalsy();
    expect(JSON.stringify(result.content)).toContain("5");
  });

  it("refuses arguments the schema rejects before the guard, naming the argument and keyword but no value", async () => {
    const client = await w.connect(w.session);
    const before = (await w.calls()).length;
    const result = await client.callTool({
      name: "get-sum",
      arguments: { a: "1000000", b: 3 },
    });
    expect(result.isError).toBe(true);
    expect(result._meta?.[WRIT_META.decision]).toEqual({
      effect: "error",
      code: "request.invalid",
    });
    const text = JSON.stringify(result.content);
    expect(text).toContain('/a fails \\"type\\"');
    expect(text).not.toContain("1000000");
    // Not a call the tool can receive: nothing was decided, recorded or forwarded.
    expect((await w.calls()).length).toBe(before);
  });

  it("refuses a missing required argument", async () => {
    const client = await w.connect(w.session);
    const result = await client.callTool({ name: "get-sum", arguments: { a: 1 } });
    expect(result._meta?.[WRIT_META.decision]).toEqual({
      effect: "error",
      code: "request.invalid",
    });
    expect(JSON.stringify(result.content)).toContain('fails \\"required\\"');
  });

  it("lists each tool's schema exactly as the upstream published it", async () => {
    const client = await w.connect(w.session);
    const { tools } = await client.listTools();
    const sum = tools.find((tool) => tool.name === "get-sum");
    expect(sum?.inputSchema.required).toEqual(["a", "b"]);
    expect(JSON.stringify(tools)).not.toMatch(/__absolute/);
  });

  it("does not serve a tool whose schema it cannot check, and says why", async () => {
    const client = await w.connect(w.session);
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names.filter((name) => name === "record")).toHaveLength(1);
    const call = await client.callTool({ name: "record", arguments: {} });
    // The unchecked upstream serves it; the checked one was left out.
    expect(JSON.stringify(call.content)).toContain("arguments");
    expect(w.events).toContainEqual({
      type: "tool.invalid",
      tool: "record",
      upstream: "checked",
      reason: expect.stringContaining("dialect the gateway cannot check"),
    });
  });
});

describe("validateArguments", () => {
  it("is true or false", () => {
    expect(() =>
      createGateway({
        guard: w.guard,
        upstreams: { up: { url: "https://mcp.example/mcp", validateArguments: "yes" as never } },
      }),
    ).toThrow('createGateway: upstream "up": validateArguments is true or false.');
  });
});
