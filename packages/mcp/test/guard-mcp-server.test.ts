import type { Session } from "@writ/core";
import { argumentsHash } from "@writ/core/backend";
import { describe, expect, it, onTestFinished } from "vitest";
import { z } from "zod";
import { allowedCall, connectWithWrit, guardMcpServer, WRIT_META, withWrit } from "../src/index.js";
import { SDKS, type Sdk, type TestClient, type TestServer } from "./sdk-generations.js";
import { createWorld, type World } from "./world.js";

const AUDIENCE = "urn:writ:test:mcp-server";
const PERMISSIONS =
  "refunds.approve(amount < 1000); refunds.approve(amount >= 1000, amount < 5000) needs approval; email.send";
const POLICY = "refunds.*; email.send";

const actions = { approve_refund: "refunds.approve", send_email: "email.send" };

async function world(): Promise<World> {
  return createWorld({ permissions: PERMISSIONS, policy: POLICY, audience: AUDIENCE });
}

describe.each(SDKS)("guardMcpServer on MCP SDK $generation", (sdk: Sdk) => {
  /** An McpServer with two tools, counting the runs of each. */
  function refundServer(): { server: TestServer; runs: Map<string, number> } {
    const server = sdk.server("refunds");
    const runs = new Map<string, number>();
    const count = (tool: string) => runs.set(tool, (runs.get(tool) ?? 0) + 1);
    server.registerTool(
      "approve_refund",
      { inputSchema: { amount: z.number() } },
      async ({ amount }) => {
        count("approve_refund");
        return { content: [{ type: "text", text: `refunded ${amount}` }] };
      },
    );
    server.registerTool("send_email", { inputSchema: { to: z.string() } }, async ({ to }) => {
      count("send_email");
      return { content: [{ type: "text", text: `sent to ${to}` }] };
    });
    return { server, runs };
  }

  function refundGuarded(w: World): TestServer {
    const { server } = refundServer();
    guardMcpServer(server.sdk, { guard: w.guard, actions });
    return server;
  }

  async function connected(server: TestServer, session: Session | undefined): Promise<TestClient> {
    const [clientSide, serverSide] = sdk.linkedPair();
    await server.connect(serverSide);
    const client = sdk.client("test");
    if (session) withWrit(client, { session, audience: AUDIENCE });
    await client.connect(clientSide);
    onTestFinished(() => client.close());
    return client;
  }

  it("runs an allowed call once and records its decision and outcome", async () => {
    const w = await world();
    const { server, runs } = refundServer();
    guardMcpServer(server.sdk, { guard: w.guard, actions });
    const client = await connected(server, w.delegate("refunds.approve(amount < 50)"));
    const result = await client.callTool({ name: "approve_refund", arguments: { amount: 20 } });
    expect(result).toMatchObject({ content: [{ type: "text", text: "refunded 20" }] });
    expect(result.isError).toBeFalsy();
    expect(runs.get("approve_refund")).toBe(1);
    expect(
      (await w.calls()).map((row) => [row.kind, row.decision ?? row.outcome, row.adapter]),
    ).toEqual([
      ["decision", "allow", "mcp"],
      ["outcome", "ok", "mcp"],
    ]);
  });

  it("refuses a call outside a condition with a model-safe isError result, and runs nothing", async () => {
    const w = await world();
    const { server, runs } = refundServer();
    guardMcpServer(server.sdk, { guard: w.guard, actions });
    const client = await connected(server, w.delegate("refunds.approve(amount < 50)"));
    const result = await client.callTool({ name: "approve_refund", arguments: { amount: 700 } });
    expect(result.isError).toBe(true);
    expect(result.content).toEqual([{ type: "text", text: expect.stringContaining("amount") }]);
    expect(JSON.stringify(result.content)).not.toContain("700");
    expect(result._meta?.[WRIT_META.decision]).toEqual({
      effect: "deny",
      code: "grant.condition_failed",
    });
    expect(runs.get("approve_refund")).toBeUndefined();
  });

  it("judges and records the arguments as the tool's schema parses them, which is what the tool receives", async () => {
    const w = await world();
    const server = sdk.server("cents");
    const received: unknown[] = [];
    // The tool's schema turns dollars into cents: the condition is about cents.
    server.registerTool(
      "approve_refund",
      { inputSchema: { amount: z.number().transform((dollars) => dollars * 100) } },
      async ({ amount }) => {
        received.push(amount);
        return { content: [{ type: "text", text: `refunded ${amount}` }] };
      },
    );
    guardMcpServer(server.sdk, { guard: w.guard, actions });
    const client = await connected(server, w.delegate("refunds.approve(amount < 1000)"));

    const within = await client.callTool({ name: "approve_refund", arguments: { amount: 5 } });
    // 20 < 1000 as sent, but the tool would refund 2,000.
    const outside = await client.callTool({ name: "approve_refund", arguments: { amount: 20 } });
    expect(within.isError).toBeFalsy();
    expect(outside.isError).toBe(true);
    expect(received).toEqual([500]);
    const decisions = (await w.calls()).filter((row) => row.kind === "decision");
    expect(decisions.map((row) => [row.decision, row.inputHash])).toEqual([
      ["allow", Buffer.from(argumentsHash({ amount: 500 }), "base64url").toString("hex")],
      ["deny", Buffer.from(argumentsHash({ amount: 2000 }), "base64url").toString("hex")],
    ]);
  });

  it("lists to each caller only the tools its writ could use, with their actions", async () => {
    const w = await world();
    const { server } = refundServer();
    guardMcpServer(server.sdk, { guard: w.guard, actions });
    const worker = await connected(server, w.delegate("refunds.approve(amount < 50)"));
    expect((await worker.listTools()).tools.map((tool) => [tool.name, tool._meta])).toEqual([
      ["approve_refund", { [WRIT_META.action]: "refunds.approve" }],
    ]);
    const planner = await connected(refundGuarded(w), w.session);
    expect((await planner.listTools()).tools.map((tool) => tool.name)).toEqual([
      "approve_refund",
      "send_email",
    ]);
    const anonymous = await connected(refundGuarded(w), undefined);
    expect((await anonymous.listTools()).tools).toEqual([]);
  });

  it("guards tools registered after it, and refuses to register a tool with no action", async () => {
    const w = await world();
    const { server } = refundServer();
    guardMcpServer(server.sdk, { guard: w.guard, actions });
    const client = await connected(server, w.session);
    let sent = 0;
    server.registerTool("email_bulk", {}, async () => {
      sent++;
      return { content: [{ type: "text", text: "sent" }] };
    });
    const late = await client.callTool({ name: "email_bulk", arguments: {} });
    expect(late).toMatchObject({
      isError: true,
      _meta: { [WRIT_META.decision]: { code: "grant.action_not_granted" } },
    });
    expect(sent).toBe(0);
    server.registerTool("payroll/run", {}, async () => {
      sent++;
      return { content: [{ type: "text", text: "paid" }] };
    });
    const slashed = await client.callTool({ name: "payroll/run", arguments: {} });
    expect(slashed).toMatchObject({
      isError: true,
      _meta: { [WRIT_META.decision]: { code: "grant.action_not_granted" } },
    });
    // A tool with no action is a configuration error where it is registered: it never exists.
    expect(() =>
      server.registerTool("ops..purge", {}, async () => {
        sent++;
        return { content: [{ type: "text", text: "purged" }] };
      }),
    ).toThrow(/guardMcpServer: tool "ops\.\.purge" has no valid Writ action/);
    const unmapped = await client.callTool({ name: "ops..purge", arguments: {} });
    expect(unmapped).toMatchObject({
      isError: true,
      _meta: { [WRIT_META.decision]: { code: "tool.unmapped" } },
    });
    expect(sent).toBe(0);
    // So is one registered before the guard.
    const early = refundServer().server;
    early.registerTool("ops..purge", {}, async () => ({ content: [] }));
    expect(() => guardMcpServer(early.sdk, { guard: w.guard, actions })).toThrow(TypeError);
  });

  it("refuses a call without a writ, a replayed proof and a proof for other arguments", async () => {
    const w = await world();
    const { server, runs } = refundServer();
    guardMcpServer(server.sdk, { guard: w.guard, actions });
    const client = await connected(server, undefined);
    const bare = await client.callTool({ name: "approve_refund", arguments: { amount: 1 } });
    expect(bare._meta?.[WRIT_META.decision]).toMatchObject({ code: "writ.malformed" });
    const proof = w.session.prove({
      audience: AUDIENCE,
      action: "refunds.approve",
      tool: "approve_refund",
      args: { amount: 1 },
    });
    const meta = { [WRIT_META.writ]: w.session.writ.toString(), [WRIT_META.proof]: proof };
    const first = await client.callTool({
      name: "approve_refund",
      arguments: { amount: 1 },
      _meta: meta,
    });
    expect(first.isError).toBeFalsy();
    const replay = await client.callTool({
      name: "approve_refund",
      arguments: { amount: 1 },
      _meta: meta,
    });
    expect(replay._meta?.[WRIT_META.decision]).toMatchObject({ code: "proof.replayed" });
    const fresh = w.session.prove({
      audience: AUDIENCE,
      action: "refunds.approve",
      tool: "approve_refund",
      args: { amount: 1 },
    });
    const swapped = await client.callTool({
      name: "approve_refund",
      arguments: { amount: 999 },
      _meta: { ...meta, [WRIT_META.proof]: fresh },
    });
    expect(swapped._meta?.[WRIT_META.decision]).toMatchObject({ code: "proof.args_mismatch" });
    expect(runs.get("approve_refund")).toBe(1);
  });

  it("asks for a human approval, then allows the approved call once", async () => {
    const w = await world();
    const { server, runs } = refundServer();
    guardMcpServer(server.sdk, { guard: w.guard, actions });
    const client = await connected(server, w.session);
    const asked = await client.callTool({ name: "approve_refund", arguments: { amount: 2000 } });
    const decision = asked._meta?.[WRIT_META.decision] as { code: string; approvalId: string };
    expect(decision).toMatchObject({ effect: "approval_required", code: "approval.required" });
    await w.guard.decideApproval(decision.approvalId, { approved: true, by: "bob" });
    const retry = () =>
      client.callTool({
        name: "approve_refund",
        arguments: { amount: 2000 },
        _meta: { [WRIT_META.approval]: decision.approvalId },
      });
    expect(await retry()).toMatchObject({ content: [{ text: "refunded 2000" }] });
    expect((await retry())._meta?.[WRIT_META.decision]).toMatchObject({
      code: "approval.consumed",
    });
    expect(runs.get("approve_refund")).toBe(1);
  });

  it("reads the writ and an HTTP-bound proof from the headers over Streamable HTTP", async () => {
    let runs = 0;
    // The guard's audience is the URL the server gets, so it is created once the server listens.
    let guard: World["guard"] | undefined;
    const served = await sdk.serveHttp(() => {
      const { server } = refundServer();
      guardMcpServer(server.sdk, { guard: guard as World["guard"], actions });
      return server;
    });
    onTestFinished(() => served.close());
    const w = await createWorld({ permissions: PERMISSIONS, policy: POLICY, audience: served.url });
    guard = w.guard;
    const client = sdk.client("test");
    await connectWithWrit(client, served.url, {
      session: w.delegate("refunds.approve(amount < 50)"),
    });
    onTestFinished(() => client.close());
    expect(
      await client.callTool({ name: "approve_refund", arguments: { amount: 5 } }),
    ).toMatchObject({ content: [{ text: "refunded 5" }] });
    runs++;
    const denied = await client.callTool({ name: "approve_refund", arguments: { amount: 60 } });
    expect(denied._meta?.[WRIT_META.decision]).toMatchObject({ code: "grant.condition_failed" });

    const elsewhere = sdk.client("test");
    const moved = served.url.replace("/mcp", "/other");
    await connectWithWrit(elsewhere, moved, {
      session: w.session,
      audience: served.url,
      fetch: (_input, init) => fetch(served.url, init),
    });
    onTestFinished(() => elsewhere.close());
    const misbound = await elsewhere.callTool({ name: "approve_refund", arguments: { amount: 5 } });
    expect(misbound._meta?.[WRIT_META.decision]).toMatchObject({ code: "proof.wrong_audience" });
    expect((await w.calls()).filter((row) => row.kind === "outcome")).toHaveLength(runs);
  });

  it("lets a running tool find its allowed call from the context the SDK hands it", async () => {
    const w = await world();
    const server = sdk.server("calendar");
    const seen: string[] = [];
    server.registerTool("list_events", { inputSchema: {} }, async (_args, context) => {
      const decision = allowedCall(context);
      seen.push(`${decision.user} ${decision.action}`);
      return { content: [{ type: "text", text: "none" }] };
    });
    guardMcpServer(server.sdk, { guard: w.guard, actions: { list_events: "email.send" } });
    const client = await connected(server, w.session);
    await client.callTool({ name: "list_events", arguments: {} });
    expect(seen).toEqual(["alice email.send"]);
    expect(() => allowedCall({})).toThrow(
      expect.objectContaining({ code: "credential.outside_call" }),
    );
  });

  it("refuses to guard a server twice or without a guard", async () => {
    const w = await world();
    const { server } = refundServer();
    guardMcpServer(server.sdk, { guard: w.guard });
    expect(() => guardMcpServer(server.sdk, { guard: w.guard })).toThrow(TypeError);
    expect(() =>
      guardMcpServer(refundServer().server.sdk, { guard: undefined as unknown as World["guard"] }),
    ).toThrow(TypeError);
    expect(() =>
      guardMcpServer(refundServer().server.sdk, {
        guard: w.guard,
        actions: { approve_refund: "not an action" },
      }),
    ).toThrow(TypeError);
  });
});

describe("guardMcpServer and the client helpers on an object no SDK generation has", () => {
  it("refuse it with a TypeError naming both generations, rather than guard it wrongly", async () => {
    const w = await world();
    const impostor = { server: {}, connect: async () => {} };
    expect(() => guardMcpServer(impostor, { guard: w.guard })).toThrow(
      /@modelcontextprotocol\/sdk \^1\.32 \(v1\) or @modelcontextprotocol\/server \^2 \(v2\)/,
    );
    const stranger = {
      connect: async () => {},
      callTool: async () => ({}),
      listTools: async () => ({}),
    };
    expect(() => withWrit(stranger, { session: w.session, audience: AUDIENCE })).toThrow(
      /withWrit needs a Client from @modelcontextprotocol\/sdk \^1\.32 \(v1\) or @modelcontextprotocol\/client \^2 \(v2\)/,
    );
    await expect(
      connectWithWrit(stranger, "http://127.0.0.1:1/mcp", { session: w.session }),
    ).rejects.toThrow(/connectWithWrit needs a Client/);
  });
});
