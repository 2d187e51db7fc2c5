import { fileURLToPath } from "node:url";
import { acceptedContent, inputRequired } from "@modelcontextprotocol/server";
import { describe, expect, it, onTestFinished } from "vitest";
import { z } from "zod";
import { connectWithWrit, type UpstreamConfig } from "../src/index.js";
import { askingServer } from "./asking-upstream.js";
import { gatewayWorld } from "./gateway-fixture.js";
import {
  type ClientAnswers,
  SDKS,
  type Sdk,
  type TestClient,
  type TestServer,
  type ToolResult,
} from "./sdk-generations.js";

const ASKING = fileURLToPath(new URL("./fixtures/asking-server.mjs", import.meta.url));
const MODERN = fileURLToPath(new URL("./fixtures/modern-server.mjs", import.meta.url));
const V1 = SDKS.find((sdk) => sdk.generation === "v1");
const V2 = SDKS.find((sdk) => sdk.generation === "v2");
const BOTH = V1 !== undefined && V2 !== undefined;
const MODERN_VERSION = "2026-07-28";

function textOf(result: ToolResult): string {
  return result.content?.[0]?.text ?? "";
}

const confirms: ClientAnswers = {
  elicitation: async () => ({ action: "accept", content: { yes: true } }),
  sampling: async () => ({
    role: "assistant",
    content: { type: "text", text: "sampled" },
    model: "test",
  }),
};

/** A v2 server whose deploy tool asks for confirmation (a multi-round-trip result) before it runs. */
function deployServer(sdk: Sdk): TestServer {
  const server = sdk.server("deploy");
  server.registerTool("deploy", { inputSchema: { env: z.string() } }, async ({ env }, context) => {
    const inputs = (context as { mcpReq: { inputResponses?: Record<string, unknown> } }).mcpReq
      .inputResponses;
    if ((acceptedContent(inputs, "confirm") as { yes?: boolean } | undefined)?.yes !== true) {
      return inputRequired({
        inputRequests: {
          confirm: inputRequired.elicit({
            message: `Deploy to ${String(env)}?`,
            requestedSchema: { type: "object", properties: { yes: { type: "boolean" } } },
          }),
        },
      }) as ToolResult;
    }
    return { content: [{ type: "text", text: `deployed to ${String(env)}` }] };
  });
  return server;
}

async function gateway(name: string, config: UpstreamConfig) {
  const w = await gatewayWorld({
    permissions: `${name}.*`,
    policy: `${name}.*`,
    upstreams: () => ({ [name]: config }),
  });
  onTestFinished(() => w.close());
  return {
    w,
    async client(sdk: Sdk, answers: ClientAnswers = {}): Promise<TestClient> {
      const client = sdk.client("caller", answers);
      await connectWithWrit(client, w.url, { session: w.session });
      onTestFinished(() => client.close());
      return client;
    },
  };
}

describe.runIf(BOTH)("callers and upstreams of both protocol generations", () => {
  const v1 = V1 as Sdk;
  const v2 = V2 as Sdk;

  it("serves a 2026-07-28 caller in front of a 2025-11-25 upstream, questions during a call included", async () => {
    const served = await v1.serveHttp(() => askingServer(v1));
    onTestFinished(() => served.close());
    const { w, client } = await gateway("ask", { url: served.url });
    const modern = await client(v2, { ...confirms, modern: true });
    expect((modern as unknown as { getProtocolEra(): string }).getProtocolEra()).toBe("modern");
    // The upstream's question comes back as an input_required result, which the v2 client answers and retries.
    const asked = await modern.callTool({ name: "ask_within", arguments: { prompt: "6×7?" } });
    expect(textOf(asked)).toBe("sampled");
    const decisions = (await w.calls()).filter(
      (row) => row.kind === "decision" && row.tool === "ask_within",
    );
    expect(decisions.map((row) => row.decision)).toEqual(["allow", "allow"]);
    // It declared its capabilities in the request: the upstream session it is served in declares the same.
    expect(
      JSON.parse(textOf(await modern.callTool({ name: "client_capabilities", arguments: {} }))),
    ).toEqual({
      sampling: {},
      elicitation: { form: {} },
    });
  });

  it("passes a 2026-07-28 upstream's multi-round-trip result to a 2026-07-28 caller, each round guarded", async () => {
    const served = await v2.serveHttp(() => deployServer(v2));
    onTestFinished(() => served.close());
    const { w, client } = await gateway("deploy", { url: served.url });
    expect(w.gateway.status().deploy).toMatchObject({
      era: "modern",
      protocolVersion: MODERN_VERSION,
    });
    const modern = await client(v2, { ...confirms, modern: true });
    expect(textOf(await modern.callTool({ name: "deploy", arguments: { env: "prod" } }))).toBe(
      "deployed to prod",
    );
    const decisions = (await w.calls()).filter((row) => row.kind === "decision");
    expect(decisions.map((row) => row.decision)).toEqual(["allow", "allow"]);
  });

  it("asks a 2025-11-25 caller the questions of a 2026-07-28 upstream, over HTTP and stdio, in one guarded call", async () => {
    const served = await v2.serveHttp(() => deployServer(v2));
    onTestFinished(() => served.close());
    for (const config of [
      { url: served.url },
      { command: process.execPath, args: [MODERN], stderr: "ignore" as const },
    ]) {
      const { w, client } = await gateway("deploy", config);
      expect(w.gateway.status().deploy).toMatchObject({ era: "modern" });
      const legacy = await client(v1, confirms);
      expect(textOf(await legacy.callTool({ name: "deploy", arguments: { env: "staging" } }))).toBe(
        "deployed to staging",
      );
      expect((await w.calls()).map((row) => row.kind)).toEqual(["decision", "outcome"]);
    }
  });

  it("tells a 2026-07-28 caller's subscription when the tools change, and a 2025-11-25 session too", async () => {
    const { client } = await gateway("ask", {
      command: process.execPath,
      args: [ASKING],
      stderr: "ignore",
    });
    const modern = await client(v2, { modern: true });
    const heard: string[] = [];
    const subscription = await (
      modern as unknown as {
        listen(filter: object): Promise<{ honoredFilter: object; close(): Promise<void> }>;
      }
    ).listen({ toolsListChanged: true, promptsListChanged: true });
    onTestFinished(() => subscription.close());
    expect(subscription.honoredFilter).toEqual({ toolsListChanged: true });
    (
      modern as unknown as { setNotificationHandler(m: string, h: () => void): void }
    ).setNotificationHandler("notifications/tools/list_changed", () => heard.push("modern"));
    const legacy = await client(v1);
    (
      legacy as unknown as {
        setNotificationHandler(schema: unknown, handler: () => void): void;
      }
    ).setNotificationHandler(
      (await import("@modelcontextprotocol/sdk/types.js")).ToolListChangedNotificationSchema,
      () => heard.push("legacy"),
    );
    await legacy.callTool({ name: "add_tool", arguments: { name: "fresh" } });
    await expect.poll(() => heard.sort()).toEqual(["legacy", "modern"]);
    expect((await legacy.listTools()).tools.map((tool) => tool.name)).toContain("fresh");
  });
});

describe("a 2026-07-28 request's metadata and headers", () => {
  it("is checked against its body, and an unknown version is refused with the versions spoken", async () => {
    const served = await (V2 ?? V1)?.serveHttp(() => askingServer((V2 ?? V1) as Sdk));
    onTestFinished(() => served?.close());
    const { w } = await gateway("ask", { url: served?.url ?? "" });
    const post = (body: object, headers: Record<string, string>) =>
      fetch(w.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          authorization: `DPoP ${w.session.writ.toString()}`,
          ...headers,
        },
        body: JSON.stringify(body),
      });
    const envelope = (version: string) => ({
      "io.modelcontextprotocol/protocolVersion": version,
      "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
      "io.modelcontextprotocol/clientCapabilities": {},
    });
    const discovered = await post(
      {
        jsonrpc: "2.0",
        id: 1,
        method: "server/discover",
        params: { _meta: envelope(MODERN_VERSION) },
      },
      { "mcp-protocol-version": MODERN_VERSION, "mcp-method": "server/discover" },
    );
    expect(await discovered.json()).toMatchObject({
      result: {
        supportedVersions: [MODERN_VERSION, "2025-11-25", "2025-06-18", "2025-03-26"],
        capabilities: { tools: { listChanged: true } },
        resultType: "complete",
      },
    });
    const call = {
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "client_capabilities", arguments: {}, _meta: envelope(MODERN_VERSION) },
    };
    const mismatched = await post(call, {
      "mcp-protocol-version": MODERN_VERSION,
      "mcp-method": "tools/call",
      "mcp-name": "list_roots",
    });
    expect(mismatched.status).toBe(400);
    expect(await mismatched.json()).toMatchObject({ error: { code: -32020 } });
    const unnamed = await post(call, {
      "mcp-protocol-version": MODERN_VERSION,
      "mcp-method": "tools/call",
    });
    expect(await unnamed.json()).toMatchObject({
      error: { code: -32020, message: expect.stringContaining("Mcp-Name") },
    });
    const future = await post(
      { ...call, params: { ...call.params, _meta: envelope("2099-01-01") } },
      {
        "mcp-protocol-version": "2099-01-01",
        "mcp-method": "tools/call",
        "mcp-name": "client_capabilities",
      },
    );
    expect(future.status).toBe(400);
    expect(await future.json()).toMatchObject({
      error: {
        code: -32022,
        data: { supported: expect.arrayContaining([MODERN_VERSION]), requested: "2099-01-01" },
      },
    });
  });
});
