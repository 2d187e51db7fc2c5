import { fileURLToPath } from "node:url";
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayOptions, WRIT_META } from "../src/index.js";
import { type GatewayWorld, gatewayWorld } from "./gateway-fixture.js";

const PROBE = fileURLToPath(new URL("./fixtures/probe-server.mjs", import.meta.url));
const MISSING = fileURLToPath(new URL("./fixtures/no-such-server.mjs", import.meta.url));
/**
 * How long to wait for an upstream process to restart: a wait for a condition,
 * not a budget, so it is generous enough for a loaded machine.
 */
const RESTART_WAIT_MS = 30_000;

const closers: (() => Promise<void>)[] = [];
let w: GatewayWorld;
let upstreams: Record<string, { command: string; args: string[]; stderr: "ignore" }>;

beforeAll(async () => {
  upstreams = {
    probe: { command: process.execPath, args: [PROBE, "first"], stderr: "ignore" },
    broken: { command: process.execPath, args: [MISSING], stderr: "ignore" },
  };
  w = await gatewayWorld({
    permissions: "probe.*",
    policy: "probe.*",
    closeWith: (close) => closers.push(close),
    callTimeoutMs: 400,
    pingTimeoutMs: 200,
    restartBackoff: { initialMs: 50, maxMs: 400 },
    upstreams: () => upstreams as GatewayOptions["upstreams"],
  });
}, 30_000);

afterAll(async () => {
  await w?.close();
  for (const close of closers) await close();
});

function textOf(result: unknown): string {
  const [first] = ((result as { content?: unknown }).content ?? []) as { text?: string }[];
  return first?.text ?? "";
}

async function pidOf(): Promise<number> {
  const client = await w.connect(w.session);
  return Number(textOf(await client.callTool({ name: "pid", arguments: {} })));
}

async function reconnected(): Promise<void> {
  await expect
    .poll(() => w.gateway.upstreams().probe, { timeout: RESTART_WAIT_MS, interval: 20 })
    .toBe(true);
}

describe("upstream answers", () => {
  it("relays a JSON-RPC error an upstream answers with as the same error", async () => {
    const client = await w.connect(w.session);
    await expect(client.callTool({ name: "reject", arguments: {} })).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining("The probe rejects these arguments."),
      data: { n: 1 },
    });
    await expect
      .poll(async () =>
        (await w.calls())
          .filter((row) => row.tool === "reject")
          .map((row) => row.outcome ?? row.decision),
      )
      .toEqual(["allow", "error"]);
  });
});

describe("upstream failures", { timeout: 2 * RESTART_WAIT_MS }, () => {
  it("tells the caller when an upstream crashes mid-call, then restarts it", async () => {
    const before = await pidOf();
    const client = await w.connect(w.session);
    const crashed = await client.callTool({ name: "crash", arguments: {} });
    expect(crashed.isError).toBe(true);
    expect(crashed._meta?.[WRIT_META.decision]).toMatchObject({ code: "upstream.unavailable" });
    expect(textOf(crashed)).toContain('The MCP server "probe"');
    await reconnected();
    expect(await pidOf()).not.toBe(before);
    const outcomes = (await w.calls()).filter((row) => row.tool === "crash");
    expect(outcomes.map((row) => row.decision ?? row.outcome)).toEqual(["allow", "error"]);
  });

  it("tells connected callers, as log messages, when an upstream goes down and comes back", async () => {
    const watcher = await w.connect(w.session);
    const heard: unknown[] = [];
    watcher.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      heard.push(notification.params);
    });
    await watcher.setLoggingLevel("info");
    const client = await w.connect(w.session);
    await client.callTool({ name: "crash", arguments: {} });
    const aboutProbe = () =>
      heard.filter((message) => String((message as { data?: unknown }).data).includes('"probe"'));
    await expect.poll(aboutProbe, { timeout: RESTART_WAIT_MS }).toEqual([
      {
        level: "warning",
        logger: "writ-gateway",
        data: expect.stringContaining('The MCP server "probe" is unavailable'),
      },
      { level: "info", logger: "writ-gateway", data: 'The MCP server "probe" is available.' },
    ]);
  });

  it("times out a hung upstream, ends it and restarts it", async () => {
    const before = await pidOf();
    const client = await w.connect(w.session);
    const hung = await client.callTool({ name: "hang", arguments: {} });
    expect(hung._meta?.[WRIT_META.decision]).toMatchObject({ code: "upstream.timeout" });
    expect(textOf(hung)).toContain("did not answer");
    await expect.poll(() => w.events.some((event) => event.type === "upstream.hung")).toBe(true);
    await reconnected();
    expect(await pidOf()).not.toBe(before);
  });

  it("retries an upstream that fails to start with doubling delays, up to the limit", async () => {
    await expect
      .poll(
        () =>
          w.events.filter((event) => event.type === "upstream.down" && event.upstream === "broken")
            .length,
        { timeout: RESTART_WAIT_MS },
      )
      .toBeGreaterThanOrEqual(5);
    const delays = w.events.flatMap((event) =>
      event.type === "upstream.down" && event.upstream === "broken" ? [event.retryInMs] : [],
    );
    expect(delays.slice(0, 5)).toEqual([50, 100, 200, 400, 400]);
  });

  it("spawns from the configuration it was given, whatever happens to the object later", async () => {
    upstreams.probe = { command: process.execPath, args: [PROBE, "changed"], stderr: "ignore" };
    const client = await w.connect(w.session);
    await client.callTool({ name: "crash", arguments: {} });
    // Until the restarted server answers: a wait for a condition, not a budget.
    const again = await w.connect(w.session);
    await expect
      .poll(async () => textOf(await again.callTool({ name: "argv", arguments: {} })), {
        timeout: RESTART_WAIT_MS,
        interval: 50,
      })
      .toBe(JSON.stringify(["first"]));
  });
});
