import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Session } from "@writ/core";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import mcpPackage from "../package.json" with { type: "json" };
import { WRIT_META, writFetch } from "../src/index.js";
import {
  everythingServer,
  filesystemServer,
  type GatewayWorld,
  gatewayWorld,
  postInitialize,
} from "./gateway-fixture.js";
import { clientWithWritFetch, echoWithProofInMeta, gatewayTools } from "./readme/clients.js";
import { SDKS, type Sdk, type TestClient } from "./sdk-generations.js";

const probe = fileURLToPath(new URL("./fixtures/probe-server.mjs", import.meta.url));
const closers: (() => Promise<void>)[] = [];
let w: GatewayWorld;
let dir: string;
let probeLog: string;

beforeAll(async () => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), "writ-meta-")));
  writeFileSync(join(dir, "note.txt"), "a note");
  probeLog = join(dir, "probe.log");
  w = await gatewayWorld({
    permissions: "everything.*; fs.*; probe.record",
    policy: "everything.*; fs.*; probe.*",
    closeWith: (close) => closers.push(close),
    upstreams: () => ({
      everything: everythingServer(),
      fs: filesystemServer(dir),
      probe: { command: process.execPath, args: [probe], env: { PROBE_LOG: probeLog } },
    }),
  });
}, 30_000);

afterAll(async () => {
  await w?.close();
  for (const close of closers) await close();
  rmSync(dir, { recursive: true, force: true });
});

/** The `_meta` of a tools/call carrying a proof for it (no HTTP binding: the proof rides in the message). */
function proofMeta(session: Session, tool: string, args: Record<string, unknown>, action: string) {
  return { [WRIT_META.proof]: session.prove({ audience: w.url, action, tool, args }) };
}

function textOf(result: { content?: readonly { text?: string }[] }): string {
  return result.content?.[0]?.text ?? "";
}

/** The HTTP status a client's call was refused with, as either SDK generation reports it. */
async function httpRefusal(call: Promise<unknown>): Promise<number | string> {
  try {
    await call;
    return "answered";
  } catch (error) {
    const { code, name, status, data } = error as {
      code?: unknown;
      name?: unknown;
      status?: unknown;
      data?: { status?: unknown };
    };
    // v2 raises its own errors for the challenges of the MCP authorization spec.
    if (name === "InsufficientScopeError") return 403;
    if (name === "UnauthorizedError") return 401;
    const found = [status, data?.status, code].find((value) => typeof value === "number");
    return typeof found === "number" ? found : String(error);
  }
}

async function plainClient(
  sdk: Sdk,
  session: Session,
  options: { modern?: boolean } = {},
): Promise<TestClient> {
  const client = sdk.client("plain", options.modern ? { modern: true } : {});
  // The writ rides in a static header (every request needs one); each call's proof in `_meta`.
  await client.connect(
    sdk.httpTransport(w.url, { headers: { authorization: `DPoP ${session.writ.toString()}` } }),
  );
  onTestFinished(() => client.close());
  return client;
}

describe.each(SDKS)("a plain MCP SDK $generation client carrying proofs in _meta", (sdk) => {
  it("makes several calls in one session, and no dev.writ key reaches an upstream", async () => {
    const session = w.delegate("everything.echo; fs.read_text_file; probe.record");
    const client = await plainClient(sdk, session);
    const before = w.sessionlessPosts();
    const echo = { message: "over _meta" };
    expect(
      textOf(
        await client.callTool({
          name: "echo",
          arguments: echo,
          _meta: proofMeta(session, "echo", echo, "everything.echo"),
        }),
      ),
    ).toBe("Echo: over _meta");
    const read = { path: join(dir, "note.txt") };
    expect(
      textOf(
        await client.callTool({
          name: "read_text_file",
          arguments: read,
          _meta: proofMeta(session, "read_text_file", read, "fs.read_text_file"),
        }),
      ),
    ).toBe("a note");
    const recorded = await client.callTool({
      name: "record",
      arguments: {},
      _meta: {
        ...proofMeta(session, "record", {}, "probe.record"),
        [WRIT_META.writ]: session.writ.toString(),
        "example.com/trace": "t-1",
      },
    });
    // The upstream gets the caller's own `_meta`, never Writ's keys.
    expect(JSON.parse(textOf(recorded)).meta).toEqual({ "example.com/trace": "t-1" });
    expect(readFileSync(probeLog, "utf8")).not.toContain("dev.writ/");
    expect(w.sessionlessPosts()).toBe(before);
  });

  it("gets the refusals header carriage gets: 403 for a missing grant, 401 for a replayed proof", async () => {
    const session = w.delegate("everything.echo");
    const client = await plainClient(sdk, session);
    const args = { a: 1, b: 2 };
    expect(
      await httpRefusal(
        client.callTool({
          name: "get-sum",
          arguments: args,
          _meta: proofMeta(session, "get-sum", args, "everything.get-sum"),
        }),
      ),
    ).toBe(403);
    // A proof is single-use in `_meta` as in the header.
    const echo = { message: "once" };
    const meta = proofMeta(session, "echo", echo, "everything.echo");
    await client.callTool({ name: "echo", arguments: echo, _meta: meta });
    expect(await httpRefusal(client.callTool({ name: "echo", arguments: echo, _meta: meta }))).toBe(
      401,
    );
    const rows = (await w.calls()).filter(
      (row) => row.agent === "worker" && row.kind === "decision",
    );
    expect(rows.slice(-3).map((row) => [row.tool, row.reason])).toEqual([
      ["get-sum", "grant.action_not_granted"],
      ["echo", "granted"],
      ["echo", "proof.replayed"],
    ]);
  });

  it("signs every request of its own transport with writFetch: one session, a hidden tool 403", async () => {
    const session = w.delegate("everything.echo; fs.read_text_file");
    const client = sdk.client("fetching");
    const before = w.sessionlessPosts();
    await client.connect(sdk.httpTransport(w.url, { fetch: writFetch({ session }) }));
    onTestFinished(() => client.close());
    expect(client.getServerVersion()).toMatchObject({
      name: "writ-mcp-gateway",
      version: mcpPackage.version,
    });
    // The list teaches writFetch the actions its calls' proofs name.
    expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual([
      "echo",
      "read_text_file",
    ]);
    expect(textOf(await client.callTool({ name: "echo", arguments: { message: "a" } }))).toBe(
      "Echo: a",
    );
    const read = await client.callTool({
      name: "read_text_file",
      arguments: { path: join(dir, "note.txt") },
    });
    expect(textOf(read)).toBe("a note");
    expect(await httpRefusal(client.callTool({ name: "get-sum", arguments: { a: 1, b: 2 } }))).toBe(
      403,
    );
    expect(w.sessionlessPosts() - before).toBe(1);
    const decisions = (await w.calls()).filter(
      (row) => row.kind === "decision" && row.chain?.hops.at(-1) === session.writ.leaf.claims.jti,
    );
    expect(decisions.map((row) => [row.tool, row.reason])).toEqual([
      ["echo", "granted"],
      ["read_text_file", "granted"],
      ["get-sum", "proof.wrong_action"],
      ["get-sum", "grant.action_not_granted"],
    ]);
  });

  it.runIf(sdk.generation === "v2")(
    "carries the proof in _meta in MCP 2026-07-28 too",
    async () => {
      const session = w.delegate("everything.echo");
      const client = await plainClient(sdk, session, { modern: true });
      const echo = { message: "stateless" };
      const result = await client.callTool({
        name: "echo",
        arguments: echo,
        _meta: proofMeta(session, "echo", echo, "everything.echo"),
      });
      expect(textOf(result)).toBe("Echo: stateless");
    },
  );
});

describe("the writ and proof in _meta over raw HTTP", () => {
  const accept = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
  };

  async function sessionFor(session: Session): Promise<Record<string, string>> {
    const init = await postInitialize(w.url, { authorization: `DPoP ${session.writ.toString()}` });
    return {
      ...accept,
      "mcp-session-id": init.headers.get("mcp-session-id") ?? "",
      "mcp-protocol-version": "2025-11-25",
    };
  }

  const call = (headers: Record<string, string>, meta: Record<string, unknown>) =>
    fetch(w.url, {
      method: "POST",
      headers,
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 2,
        method: "tools/call",
        params: { name: "echo", arguments: { message: "raw" }, _meta: meta },
      }),
    });

  it("takes a call whose writ and proof are both in _meta", async () => {
    const session = w.delegate("everything.echo");
    const headers = await sessionFor(session);
    const response = await call(headers, {
      [WRIT_META.writ]: session.writ.toString(),
      ...proofMeta(session, "echo", { message: "raw" }, "everything.echo"),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Echo: raw");
  });

  it("refuses a request whose header and _meta carry different writs or proofs, judging neither", async () => {
    const session = w.delegate("everything.echo");
    const other = w.delegate("everything.echo");
    const headers = await sessionFor(session);
    const before = (await w.calls()).length;
    const writs = await call(
      { ...headers, authorization: `DPoP ${session.writ.toString()}` },
      {
        [WRIT_META.writ]: other.writ.toString(),
        ...proofMeta(other, "echo", { message: "raw" }, "everything.echo"),
      },
    );
    expect(writs.status).toBe(400);
    expect(await writs.json()).toMatchObject({
      id: 2,
      error: { data: { code: "gateway.credentials_conflict" } },
    });
    const proofs = await call(
      {
        ...headers,
        authorization: `DPoP ${session.writ.toString()}`,
        dpop: session.prove({
          audience: w.url,
          action: "everything.echo",
          tool: "echo",
          args: { message: "raw" },
          http: { method: "POST", url: w.url },
        }),
      },
      proofMeta(session, "echo", { message: "raw" }, "everything.echo"),
    );
    expect(proofs.status).toBe(400);
    expect(await proofs.json()).toMatchObject({
      error: {
        message: expect.stringMatching(
          /proof in the HTTP headers and the one in params\._meta differ/,
        ),
        data: { code: "gateway.credentials_conflict" },
      },
    });
    expect((await w.calls()).length).toBe(before);
  });

  it("binds a proof in the DPoP header to the request, and one in _meta to the message alone", async () => {
    const session = w.delegate("everything.echo");
    const headers = await sessionFor(session);
    // An HTTP-bound proof is still judged as one when it arrives in the header.
    const unbound = proofMeta(session, "echo", { message: "raw" }, "everything.echo")[
      WRIT_META.proof
    ];
    const response = await call(
      { ...headers, authorization: `DPoP ${session.writ.toString()}`, dpop: unbound ?? "" },
      {},
    );
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain("proof.wrong_audience");
  });
});

describe("@langchain/mcp-adapters' MultiServerMCPClient through the gateway", () => {
  it("makes several calls over one MCP session, each with its own proof in _meta", async () => {
    const session = w.delegate(`everything.echo; fs.read_text_file(path startsWith "${dir}/")`);
    const before = w.sessionlessPosts();
    const { mcp, tools } = await gatewayTools(w.url, session);
    onTestFinished(() => mcp.close());
    expect(tools.map((tool) => tool.name).sort()).toEqual(["echo", "read_text_file"]);
    const echo = tools.find((tool) => tool.name === "echo");
    const read = tools.find((tool) => tool.name === "read_text_file");
    expect(await echo?.invoke({ message: "first" })).toBe("Echo: first");
    expect(await echo?.invoke({ message: "second" })).toBe("Echo: second");
    expect(await read?.invoke({ path: join(dir, "note.txt") })).toMatchObject({ text: "a note" });
    await expect(read?.invoke({ path: "/etc/passwd" })).rejects.toThrow(
      /Denied: the argument "path"/,
    );
    // One initialize; every other request went over the session it opened.
    expect(w.sessionlessPosts() - before).toBe(1);
    const decisions = (await w.calls()).filter(
      (row) => row.kind === "decision" && row.chain?.hops.at(-1) === session.writ.leaf.claims.jti,
    );
    expect(decisions.map((row) => [row.tool, row.decision])).toEqual([
      ["echo", "allow"],
      ["echo", "allow"],
      ["read_text_file", "allow"],
      ["read_text_file", "deny"],
    ]);
  });
});

describe("the README's clients", () => {
  it("call through the gateway: writFetch's client, and a plain client with the proof in _meta", async () => {
    const session = w.delegate("everything.echo");
    const client = await clientWithWritFetch(w.url, session);
    onTestFinished(() => client.close());
    expect(await client.callTool({ name: "echo", arguments: { message: "fetch" } })).toMatchObject({
      content: [{ text: "Echo: fetch" }],
    });
    expect(await echoWithProofInMeta(w.url, session, "meta")).toMatchObject({
      content: [{ text: "Echo: meta" }],
    });
  });
});
