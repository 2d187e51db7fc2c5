import { chmodSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Session } from "@writ/core";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import {
  everythingServer,
  filesystemServer,
  type GatewayWorld,
  gatewayWorld,
  postInitialize,
} from "../../mcp/test/gateway-fixture.js";
import { SDKS } from "../../mcp/test/sdk-generations.js";
import { WRIT_BIN, writ } from "./support/run-writ.js";

/**
 * `writ connect` as a desktop client runs it: launched as a command by the
 * MCP SDK's own stdio client (v1 and v2), in front of a gateway that serves
 * server-everything and server-filesystem.
 */
const ASKING = fileURLToPath(new URL("../../mcp/test/fixtures/asking-server.mjs", import.meta.url));
const closers: (() => Promise<void>)[] = [];
let w: GatewayWorld;
let dir: string;

beforeAll(async () => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), "writ-connect-")));
  writeFileSync(join(dir, "hello.txt"), "hello from the desk");
  w = await gatewayWorld({
    permissions: "everything.*; fs.read_text_file; fs.list_allowed_directories; ask.*",
    policy: "everything.*; fs.*; ask.*",
    closeWith: (close) => closers.push(close),
    upstreams: () => ({
      everything: everythingServer(),
      fs: filesystemServer(dir),
      // Asks its caller to sample: started per caller session, with that caller's capabilities.
      ask: { command: process.execPath, args: [ASKING], stderr: "ignore", perSession: true },
    }),
  });
}, 60_000);

afterAll(async () => {
  await w?.close();
  for (const close of closers) await close();
  rmSync(dir, { recursive: true, force: true });
});

/** The agent's writ and key as files, the key owner-only as `writ agents add` writes it. */
function agentFiles(session: Session, name: string): { writ: string; key: string } {
  const writFile = join(dir, `${name}.writ`);
  const keyFile = join(dir, `${name}.jwk`);
  writeFileSync(writFile, session.writ.toString());
  writeFileSync(keyFile, JSON.stringify(session.agent.key.exportPrivateJwk()), { mode: 0o600 });
  return { writ: writFile, key: keyFile };
}

function textOf(result: { content?: readonly { text?: string }[] }): string {
  return result.content?.[0]?.text ?? "";
}

describe.each(SDKS)("writ connect driven by the MCP SDK $generation stdio client", (sdk) => {
  it("lists, calls several tools with progress and sampling, answers a refusal as an error, and picks up a renewed writ", async () => {
    const session = w.delegate(
      "everything.echo; everything.trigger-long-running-operation; fs.read_text_file; ask.ask_outside",
    );
    const files = agentFiles(session, `worker-${sdk.generation}`);
    const client = sdk.client("desktop", {
      sampling: async () => ({
        role: "assistant",
        content: { type: "text", text: "sampled at the desk" },
        model: "test",
      }),
    });
    await client.connect(
      sdk.stdioTransport({
        command: process.execPath,
        args: [WRIT_BIN, "connect", w.url, "--writ", files.writ, "--key", files.key],
        env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" },
        stderr: "ignore",
      }),
    );
    onTestFinished(() => client.close());
    const before = w.sessionlessPosts();
    const names = (await client.listTools()).tools.map((tool) => tool.name).sort();
    expect(names).toEqual([
      "ask_outside",
      "echo",
      "read_text_file",
      "trigger-long-running-operation",
    ]);
    expect(textOf(await client.callTool({ name: "echo", arguments: { message: "one" } }))).toBe(
      "Echo: one",
    );
    expect(
      textOf(
        await client.callTool({
          name: "read_text_file",
          arguments: { path: join(dir, "hello.txt") },
        }),
      ),
    ).toBe("hello from the desk");
    const progress: number[] = [];
    const long = await sdk.callWithProgress(
      client,
      { name: "trigger-long-running-operation", arguments: { duration: 0.6, steps: 3 } },
      (step) => progress.push(step),
    );
    expect(long.isError).toBeFalsy();
    // The last step's progress comes right before the response; an SDK v1
    // client drops it when it reads both in one chunk (it handles
    // notifications a microtask late), which the bridge makes unlikely but
    // cannot rule out on a loaded machine.
    expect([
      [1, 2],
      [1, 2, 3],
    ]).toContainEqual(progress);
    // The upstream's sampling request reaches the desktop client through the bridge, and its answer goes back.
    expect(
      textOf(await client.callTool({ name: "ask_outside", arguments: { prompt: "6×7?" } })),
    ).toBe("sampled at the desk");
    // A tool the writ hides: the bridge signs for the action the gateway names, and relays the 403 as an error.
    await expect(client.callTool({ name: "get-sum", arguments: { a: 1, b: 2 } })).rejects.toThrow(
      /Denied: the agent's writ does not hold everything\.get-sum \(grant\.action_not_granted\)/,
    );
    // A renewed writ written over the file is what the running bridge carries next.
    const renewed = w.delegate("everything.echo; everything.get-sum");
    writeFileSync(files.writ, renewed.writ.toString());
    expect(textOf(await client.callTool({ name: "get-sum", arguments: { a: 1, b: 2 } }))).toContain(
      "3",
    );
    // Every call went over the one gateway session the bridge opened.
    expect(w.sessionlessPosts()).toBe(before);
    const decisions = (await w.calls()).filter(
      (row) =>
        row.kind === "decision" &&
        row.agent === "worker" &&
        row.chain?.hops.at(-1) === session.writ.leaf.claims.jti,
    );
    expect(decisions.map((row) => [row.tool, row.reason])).toEqual([
      ["echo", "granted"],
      ["read_text_file", "granted"],
      ["trigger-long-running-operation", "granted"],
      ["ask_outside", "granted"],
      ["get-sum", "proof.wrong_action"],
      ["get-sum", "grant.action_not_granted"],
    ]);
  });

  it("relays the upstream's elicitation to the desktop client, and the client's cancellation to the upstream", async () => {
    const session = w.delegate("everything.trigger-long-running-operation; ask.ask_user");
    const files = agentFiles(session, `asker-${sdk.generation}`);
    const asked: string[] = [];
    const client = sdk.client("desktop", {
      elicitation: async ({ message }) => {
        asked.push(message);
        return { action: "accept", content: { yes: true } };
      },
    });
    await client.connect(
      sdk.stdioTransport({
        command: process.execPath,
        args: [WRIT_BIN, "connect", w.url, "--writ", files.writ, "--key", files.key],
        env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" },
        stderr: "ignore",
      }),
    );
    onTestFinished(() => client.close());
    await client.listTools();
    const answer = await client.callTool({ name: "ask_user", arguments: { question: "Ship it?" } });
    expect(JSON.parse(textOf(answer))).toEqual({ action: "accept", content: { yes: true } });
    expect(asked).toEqual(["Ship it?"]);

    // The desktop client gives up after the first progress step: the bridge
    // relays notifications/cancelled, so the gateway stops the upstream's call
    // and records it as failed rather than leaving it to run its 30 s.
    const controller = new AbortController();
    const cancelled = sdk.callWithProgress(
      client,
      { name: "trigger-long-running-operation", arguments: { duration: 30, steps: 30 } },
      () => controller.abort("changed my mind"),
      controller.signal,
    );
    await expect(cancelled).rejects.toThrow();
    const leaf = session.writ.leaf.claims.jti;
    await expect
      .poll(
        async () =>
          (await w.calls())
            .filter(
              (row) =>
                row.chain?.hops.at(-1) === leaf && row.tool === "trigger-long-running-operation",
            )
            .map((row) => [row.kind, row.outcome ?? row.reason]),
        // Patience for a loaded machine, well short of the 30 s an unrelayed cancellation would take.
        { timeout: 15_000 },
      )
      .toEqual([
        ["decision", "granted"],
        ["outcome", "error"],
      ]);
    // The bridge's session still serves calls after a cancellation.
    expect(
      JSON.parse(
        textOf(await client.callTool({ name: "ask_user", arguments: { question: "Again?" } })),
      ),
    ).toMatchObject({ action: "accept" });
  });
});

describe("writ connect and writ prove with the agent's key", () => {
  it("refuse a key file other users can read, and say how to fix it", async () => {
    const files = agentFiles(w.delegate("everything.echo"), "exposed");
    chmodSync(files.key, 0o644);
    for (const command of [
      ["connect", w.url],
      ["prove", "--audience", w.url, "--action", "everything.echo", "--tool", "echo"],
    ]) {
      const result = await writ([...command, "--writ", files.writ, "--key", files.key], {
        cwd: dir,
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`chmod 600 ${files.key}`);
      expect(result.stderr).toContain("[key.file_exposed]");
    }
  });

  it("prove prints a proof the gateway accepts in _meta, and with --http-url in the DPoP header", async () => {
    const session = w.delegate("everything.echo");
    const args = { message: "proved" };
    const prove = (...extra: string[]) =>
      writ(
        [
          "prove",
          "--audience",
          w.url,
          "--action",
          "everything.echo",
          "--tool",
          "echo",
          "--args",
          JSON.stringify(args),
          ...extra,
        ],
        // The key from the environment, as a script that holds it in a secret store passes it.
        {
          cwd: dir,
          env: {
            WRIT_WRIT: session.writ.toString(),
            WRIT_AGENT_KEY: JSON.stringify(session.agent.key.exportPrivateJwk()),
          },
        },
      );
    const inMeta = await prove();
    expect(inMeta.code, inMeta.stderr).toBe(0);
    const inHeader = await prove("--http-url", w.url, "--json");
    expect(inHeader.code, inHeader.stderr).toBe(0);
    const { proof, claims } = JSON.parse(inHeader.stdout) as {
      proof: string;
      claims: Record<string, unknown>;
    };
    expect(claims).toMatchObject({ aud: w.url, act: "everything.echo", tool: "echo", htm: "POST" });
    const call = async (headers: Record<string, string>, meta: Record<string, unknown>) => {
      const base = {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        authorization: `DPoP ${session.writ.toString()}`,
      };
      const init = await postInitialize(w.url, { authorization: base.authorization });
      const response = await fetch(w.url, {
        method: "POST",
        headers: {
          ...base,
          ...headers,
          "mcp-session-id": init.headers.get("mcp-session-id") ?? "",
          "mcp-protocol-version": "2025-11-25",
        },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 2,
          method: "tools/call",
          params: { name: "echo", arguments: args, _meta: meta },
        }),
      });
      return { status: response.status, text: await response.text() };
    };
    expect(await call({}, { "dev.writ/proof": inMeta.stdout.trim() })).toMatchObject({
      status: 200,
      text: expect.stringContaining("Echo: proved"),
    });
    expect(await call({ dpop: proof }, {})).toMatchObject({
      status: 200,
      text: expect.stringContaining("Echo: proved"),
    });
    const bad = await prove("--args", "[1]");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--args must be a JSON object");
  });
});
