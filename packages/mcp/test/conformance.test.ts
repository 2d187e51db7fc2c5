import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UpstreamConfig } from "../src/index.js";
import { conformanceUpstream } from "./conformance-upstream.js";
import {
  everythingServer,
  freePort,
  type GatewayWorld,
  gatewayWorld,
  serverBin,
} from "./gateway-fixture.js";
import { signingProxy } from "./signing-proxy.js";

const require = createRequire(import.meta.url);
const CLI = join(
  require.resolve("@modelcontextprotocol/conformance/package.json"),
  "..",
  "dist",
  "index.js",
);

const closers: (() => Promise<void>)[] = [];
let results: string;

beforeAll(() => {
  results = mkdtempSync(join(tmpdir(), "writ-conformance-"));
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  rmSync(results, { recursive: true, force: true });
});

/** Runs @modelcontextprotocol/conformance's server scenarios against `url`: each scenario and whether it passed. */
async function conformance(url: string): Promise<Record<string, boolean>> {
  const output = await new Promise<string>((resolve) => {
    execFile(
      process.execPath,
      [CLI, "server", "--url", url],
      { cwd: results, timeout: 150_000 },
      (_error, stdout, stderr) => resolve(`${stdout}\n${stderr}`),
    );
  });
  const summary = output.slice(output.indexOf("=== SUMMARY ==="));
  const scenarios = Object.fromEntries(
    [...summary.matchAll(/^([✓✗]) ([\w-]+):/gmu)].map(([, mark, name]) => [name, mark === "✓"]),
  );
  expect(Object.keys(scenarios).length, output).toBeGreaterThan(0);
  return scenarios;
}

/** The scenarios `direct` passes that `gateway` fails: what the gateway breaks. */
function broken(direct: Record<string, boolean>, gateway: Record<string, boolean>): string[] {
  return Object.keys(direct).filter((name) => direct[name] && !gateway[name]);
}

function passed(scenarios: Record<string, boolean>): number {
  return Object.values(scenarios).filter(Boolean).length;
}

/** A gateway whose one upstream is `upstream`, with the conformance CLI's requests signed on their way to it. */
async function throughGateway(name: string, upstream: UpstreamConfig): Promise<string> {
  const w: GatewayWorld = await gatewayWorld({
    permissions: "*",
    policy: "*",
    closeWith: (close) => closers.push(close),
    upstreams: () => ({ [name]: upstream }),
  });
  closers.push(() => w.close());
  const proxy = await signingProxy({ session: w.session, gateway: w.url, upstream: name });
  closers.push(() => proxy.close());
  return proxy.url;
}

describe("@modelcontextprotocol/conformance server scenarios, directly and through the gateway", () => {
  it("the reference upstream passes every scenario through the gateway it passes directly: all", async () => {
    const upstream = await conformanceUpstream();
    closers.push(upstream.close);
    const direct = await conformance(upstream.url);
    const gateway = await conformance(await throughGateway("conformance", { url: upstream.url }));
    expect(broken(direct, gateway)).toEqual([]);
    expect({
      direct: passed(direct),
      gateway: passed(gateway),
      of: Object.keys(gateway).length,
    }).toEqual({
      direct: 30,
      gateway: 30,
      of: 30,
    });
  }, 400_000);

  it("server-everything passes every scenario through the gateway it passes directly, over HTTP and stdio", async () => {
    const port = await freePort();
    const everything = spawn(process.execPath, [serverBin("server-everything"), "streamableHttp"], {
      env: { ...process.env, PORT: String(port) },
      stdio: ["ignore", "ignore", "pipe"],
    });
    closers.push(() => stop(everything));
    await listening(everything);
    const url = `http://127.0.0.1:${port}/mcp`;
    const direct = await conformance(url);
    const overHttp = await conformance(await throughGateway("everything", { url }));
    const overStdio = await conformance(
      await throughGateway("everything", {
        ...everythingServer(),
        perSession: true,
      }),
    );
    expect({ http: broken(direct, overHttp), stdio: broken(direct, overStdio) }).toEqual({
      http: [],
      stdio: [],
    });
    expect(passed(direct)).toBeGreaterThan(10);
  }, 600_000);
});

async function listening(child: ChildProcess): Promise<void> {
  let output = "";
  await new Promise<void>((resolve, reject) => {
    child.once("exit", (code) =>
      reject(new Error(`server-everything exited (${code}): ${output}`)),
    );
    // It says where it listens on stderr.
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (/listening on port/i.test(output)) resolve();
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill("SIGTERM");
  await once(child, "exit");
}
