import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadMcpTools } from "@langchain/mcp-adapters";
import type { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Session } from "@writ/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WRIT_META } from "../src/index.js";
import {
  everythingServer,
  filesystemServer,
  type GatewayWorld,
  gatewayWorld,
  postInitialize,
} from "./gateway-fixture.js";

const closers: (() => Promise<void>)[] = [];
let w: GatewayWorld;
let dir: string;

beforeAll(async () => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), "writ-mcp-")));
  mkdirSync(join(dir, "public"));
  writeFileSync(join(dir, "public", "hello.txt"), "hello from public");
  writeFileSync(join(dir, "secret.txt"), "the secret");
  w = await gatewayWorld({
    permissions: `everything.echo; everything.get-sum; everything.trigger-long-running-operation; fs.read_text_file(path startsWith "${dir}/public/"); fs.list_allowed_directories`,
    policy: "everything.*; fs.*",
    closeWith: (close) => closers.push(close),
    upstreams: () => ({
      everything: everythingServer(),
      fs: filesystemServer(dir),
    }),
  });
}, 30_000);

afterAll(async () => {
  await w?.close();
  for (const close of closers) await close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the gateway in front of server-everything and server-filesystem (SDK Client)", () => {
  it("forwards an allowed call and records its decision and outcome", async () => {
    const client = await w.connect(w.session);
    const result = await client.callTool({ name: "echo", arguments: { message: "hi there" } });
    expect(result).toMatchObject({ content: [{ type: "text", text: "Echo: hi there" }] });
    const read = await client.callTool({
      name: "read_text_file",
      arguments: { path: join(dir, "public", "hello.txt") },
    });
    expect(read.content).toEqual([{ type: "text", text: "hello from public" }]);
    // The caller is answered first; the outcome row follows.
    await expect
      .poll(async () =>
        (await w.calls())
          .filter((row) => row.tool === "echo")
          .map((row) => [row.kind, row.decision ?? row.outcome, row.adapter, row.action]),
      )
      .toEqual([
        ["decision", "allow", "mcp-gateway", "everything.echo"],
        ["outcome", "ok", "mcp-gateway", "everything.echo"],
      ]);
  });

  it("records each call under a time-ordered id, so the ledger's call index grows at its end", async () => {
    const client = await w.connect(w.session);
    for (const message of ["first", "second", "third"]) {
      await client.callTool({ name: "echo", arguments: { message } });
      // A millisecond apart at least: UUIDv7 orders by the millisecond, then at random.
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const ids = (await w.calls())
      .filter((row) => row.kind === "decision" && row.tool === "echo")
      .map((row) => row.callId ?? "")
      .slice(-3);
    expect(ids).toHaveLength(3);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab]/);
    expect([...ids].sort()).toEqual(ids);
  });

  it("refuses a call outside a path condition without forwarding it", async () => {
    const client = await w.connect(w.session);
    const result = await client.callTool({
      name: "read_text_file",
      arguments: { path: join(dir, "secret.txt") },
    });
    expect(result.isError).toBe(true);
    expect(result._meta?.[WRIT_META.decision]).toMatchObject({ code: "grant.condition_failed" });
    expect(JSON.stringify(result)).not.toContain("the secret");
    expect(JSON.stringify(result)).not.toContain("secret.txt");
  });

  it("lists each caller only the tools its writ could use", async () => {
    const planner = await w.connect(w.session);
    const listed = (await planner.listTools()).tools;
    expect(listed.map((tool) => tool.name).sort()).toEqual([
      "echo",
      "get-sum",
      "list_allowed_directories",
      "read_text_file",
      "trigger-long-running-operation",
    ]);
    expect(listed.find((tool) => tool.name === "read_text_file")?._meta).toMatchObject({
      [WRIT_META.action]: "fs.read_text_file",
    });
    const worker = await w.connect(w.delegate("everything.echo"));
    expect((await worker.listTools()).tools.map((tool) => tool.name)).toEqual(["echo"]);
  });

  it("answers a hidden tool with 403 insufficient_scope naming the action", async () => {
    // A caller that knows the action (from configuration) still cannot use a tool its writ lacks.
    const worker = await w.connect(w.delegate("everything.echo"), {
      actions: { "get-sum": "everything.get-sum" },
    });
    const refused = worker.callTool({ name: "get-sum", arguments: { a: 1, b: 2 } });
    await expect(refused).rejects.toMatchObject({ code: 403 });
    const response = await rawCall(
      w.delegate("everything.echo"),
      "get-sum",
      { a: 1, b: 2 },
      "everything.get-sum",
    );
    expect(response.status).toBe(403);
    expect(response.headers.get("www-authenticate")).toContain(
      'error="insufficient_scope", error_description="grant.action_not_granted", scope="everything.get-sum"',
    );
    const rows = (await w.calls()).filter(
      (row) => row.tool === "get-sum" && row.agent === "worker",
    );
    expect(rows.map((row) => [row.decision, row.reason])).toEqual([
      ["deny", "grant.action_not_granted"],
      ["deny", "grant.action_not_granted"],
    ]);
  });

  it("answers a hidden tool with a clean 403 to a client that could not list it", async () => {
    // connectWithWrit cannot learn the action of a tool it is not shown: the
    // gateway's 401 names it, the client signs again for it, and the refusal is the grant's.
    const worker = await w.connect(w.delegate("everything.echo"));
    await expect(
      worker.callTool({ name: "get-sum", arguments: { a: 1, b: 2 } }),
    ).rejects.toMatchObject({ code: 403 });
    const rows = (await w.calls()).filter(
      (row) => row.tool === "get-sum" && row.agent === "worker",
    );
    expect(rows.slice(-2).map((row) => [row.action, row.reason])).toEqual([
      ["everything.get-sum", "proof.wrong_action"],
      ["everything.get-sum", "grant.action_not_granted"],
    ]);
  });

  it("enforces a revocation in the middle of a session", async () => {
    const session = w.delegate("everything.echo");
    const client = await w.connect(session);
    expect(
      (await client.callTool({ name: "echo", arguments: { message: "one" } })).isError,
    ).toBeFalsy();
    await w.backend.revoke("hop", session.writ.leaf.claims.jti);
    await expect(
      client.callTool({ name: "echo", arguments: { message: "two" } }),
    ).rejects.toMatchObject({
      code: 401,
      message: expect.stringContaining("revoked.hop"),
    });
    // The guard's decision refused it (the gateway does not check an accepted writ twice), on the record.
    const echoes = (await w.calls()).filter((row) => row.tool === "echo" && row.agent === "worker");
    expect(echoes.slice(-1).map((row) => [row.decision, row.reason])).toEqual([
      ["deny", "revoked.hop"],
    ]);
    await expect(client.listTools()).rejects.toMatchObject({ code: 401 });
  });

  it("relays progress from the upstream to the caller", async () => {
    const client = await w.connect(w.session);
    const progress: number[] = [];
    const result = await client.callTool(
      { name: "trigger-long-running-operation", arguments: { duration: 0.3, steps: 3 } },
      undefined,
      { onprogress: ({ progress: step }) => progress.push(step) },
    );
    expect(result.isError).toBeFalsy();
    expect(progress).toEqual([1, 2, 3]);
  });

  it("relays a cancellation, and records the call as failed", async () => {
    const client = await w.connect(w.session);
    const controller = new AbortController();
    const call = client.callTool(
      { name: "trigger-long-running-operation", arguments: { duration: 1, steps: 5 } },
      undefined,
      { signal: controller.signal, onprogress: () => controller.abort("changed my mind") },
    );
    await expect(call).rejects.toThrow();
    await expect
      .poll(async () =>
        (await w.calls())
          .filter((row) => row.tool === "trigger-long-running-operation" && row.kind === "outcome")
          .map((row) => row.outcome),
      )
      .toContain("error");
  });
});

describe("the gateway's HTTP surface", () => {
  it("publishes protected resource metadata and its JWKS", async () => {
    const origin = new URL(w.url).origin;
    const metadata = await (
      await fetch(`${origin}/.well-known/oauth-protected-resource/mcp`)
    ).json();
    expect(metadata).toMatchObject({
      resource: w.url,
      jwks_uri: `${origin}/.well-known/jwks.json`,
      dpop_bound_access_tokens_required: true,
    });
    const jwks = await (await fetch(`${origin}/.well-known/jwks.json`)).json();
    expect(jwks).toEqual(w.gateway.jwks());
  });

  it("answers a request without a writ with 401 and where to find the metadata", async () => {
    const response = await fetch(w.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: {} }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(
      `DPoP resource_metadata="${new URL(w.url).origin}/.well-known/oauth-protected-resource/mcp", algs="EdDSA"`,
    );
  });

  it("answers a tampered writ with 401 invalid_token, and a foreign Host with 403", async () => {
    const writ = w.session.writ.toString();
    const tampered = `${writ.slice(0, -4)}${writ.endsWith("AAAA") ? "BBBB" : "AAAA"}`;
    const response = await fetch(w.url, {
      method: "POST",
      headers: { authorization: `DPoP ${tampered}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
    const rebound = await new Promise<number | undefined>((resolve, reject) => {
      const target = new URL(w.url);
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: "POST",
          headers: {
            host: "evil.example.com",
            authorization: `DPoP ${writ}`,
            "content-type": "application/json",
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.on("error", reject);
      req.end("{}");
    });
    expect(rebound).toBe(403);
  });

  it("keeps a session to the principal that opened it", async () => {
    const planner = await w.connect(w.session);
    const sessionId = (planner.transport as StreamableHTTPClientTransport).sessionId;
    const worker = w.delegate("everything.echo");
    const response = await fetch(w.url, {
      method: "POST",
      headers: {
        authorization: `DPoP ${worker.writ.toString()}`,
        "mcp-session-id": sessionId ?? "",
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2025-11-25",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/list", params: {} }),
    });
    expect(response.status).toBe(404);
  });
});

describe("the gateway with @langchain/mcp-adapters", () => {
  it("serves allowed, hidden, condition-denied and revoked calls as a LangChain tool set", async () => {
    const session = w.delegate(
      `everything.echo; fs.read_text_file(path startsWith "${dir}/public/")`,
    );
    const client = await w.connect(session);
    const tools = await loadMcpTools("gateway", client);
    expect(tools.map((tool) => tool.name).sort()).toEqual(["echo", "read_text_file"]);
    const echo = tools.find((tool) => tool.name === "echo");
    const read = tools.find((tool) => tool.name === "read_text_file");
    expect(await echo?.invoke({ message: "from langchain" })).toBe("Echo: from langchain");
    expect(await read?.invoke({ path: join(dir, "public", "hello.txt") })).toMatchObject({
      text: "hello from public",
    });
    await expect(read?.invoke({ path: join(dir, "secret.txt") })).rejects.toThrow(
      /Denied: the argument "path" is outside/,
    );
    await w.backend.revoke("hop", session.writ.leaf.claims.jti);
    await expect(echo?.invoke({ message: "after revocation" })).rejects.toThrow(/invalid_token/);
  });
});

/** One tools/call as raw HTTP in a fresh session, with the headers a Writ client sends. */
async function rawCall(
  session: Session,
  tool: string,
  args: Record<string, unknown>,
  action: string,
): Promise<Response> {
  const headers = {
    authorization: `DPoP ${session.writ.toString()}`,
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
  };
  const init = await postInitialize(w.url, headers);
  const proof = session.prove({
    audience: w.url,
    action,
    tool,
    args,
    http: { method: "POST", url: w.url },
  });
  return fetch(w.url, {
    method: "POST",
    headers: {
      ...headers,
      dpop: proof,
      "mcp-session-id": init.headers.get("mcp-session-id") ?? "",
      "mcp-protocol-version": "2025-11-25",
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: tool, arguments: args },
    }),
  });
}
