import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const root = new URL("../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");
interface Manifest {
  readonly version: string;
  readonly scripts?: Readonly<Record<string, string>>;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly engines?: Readonly<Record<string, string>>;
}
const json = (path: string) => JSON.parse(read(path)) as Manifest;
const major = (version: string) => Number(/^\D*(\d+)/.exec(version)?.[1]);

/** The README's "Supported versions" table: the versions column of each row, by what it names. */
function supportedVersions(): Map<string, string> {
  const section = /## Supported versions\n([\s\S]*?)\n## /.exec(read("README.md"))?.[1] ?? "";
  const rows = section
    .split("\n")
    .filter((line) => line.startsWith("|"))
    .map((line) => line.split("|").map((cell) => cell.trim()))
    .slice(2);
  return new Map(rows.map(([, what, versions]) => [what ?? "", versions ?? ""]));
}

describe("the README's supported versions, as CI runs them", () => {
  it("Node 22 and 24: every package's engines, and one CI job on each", () => {
    expect(supportedVersions().get("Node")).toBe("22, 24");
    const ci = read(".ci/run");
    for (const version of [22, 24]) {
      expect(ci).toMatch(
        new RegExp(`^job_node${version}\\(\\) \\{\\n\\s*use_node ${version}$`, "m"),
      );
      expect(ci).toMatch(new RegExp(`^JOBS=\\(.*\\bnode${version}\\b.*\\)$`, "m"));
    }
    const manifests = [
      "package.json",
      ...readdirSync(new URL("packages/", root)).map((name) => `packages/${name}/package.json`),
    ];
    for (const manifest of manifests) {
      expect(json(manifest).engines?.node, manifest).toBe(">=22");
    }
  });

  it("AI SDK 6 and 7: the peer range, the two installed for CI, their job, the package README", () => {
    const versions = supportedVersions().get("AI SDK (`ai`)");
    expect(versions).toBe("6, 7");
    const majors = (versions ?? "").split(", ").map(Number);

    const aiSdk = json("packages/ai-sdk/package.json");
    expect(aiSdk.peerDependencies?.ai?.split("||").map(major)).toEqual(majors);
    // CI tests the workspace's `ai` and the `ai6` alias beside it: one of each major.
    const installed = ["ai", "ai6"].map(
      (name) => json(`packages/ai-sdk/node_modules/${name}/package.json`).version,
    );
    expect(installed.map(major).sort()).toEqual(majors);
    expect(aiSdk.devDependencies?.ai6).toBe(`npm:ai@${installed[1]}`);
    expect(json("examples/email-assistant/package.json").dependencies?.ai).toBe(installed[0]);

    // The job that runs them on AI SDK 6, and what it runs.
    expect(read(".ci/run")).toMatch(/^\s*pnpm test$/m);
    expect(read(".ci/run")).toMatch(/^job_ai_sdk_6\(\) \{\n(?:.*\n)*?\s*pnpm test:ai-sdk-6$/m);
    expect(read(".ci/run")).toMatch(/^JOBS=\(.*\bai_sdk_6\b.*\)$/m);
    const job = json("package.json").scripts?.["test:ai-sdk-6"] ?? "";
    for (const part of [
      "tsc -p packages/ai-sdk/tsconfig.ai6.json",
      "tsc -p examples/email-assistant/tsconfig.ai6.json",
      "WRIT_AI_SDK=6 vitest run packages/ai-sdk/ examples/email-assistant/",
    ]) {
      expect(job).toContain(part);
    }

    // The package README names the versions tested.
    const compatibility = read("packages/ai-sdk/README.md").split("## Compatibility")[1] ?? "";
    for (const version of installed) {
      expect(compatibility).toContain(`| ${major(version)} (${version})`);
    }
  });

  it("MCP SDK 1.x and 2.x: the peer ranges, one of each installed, and both run in every job", () => {
    expect(
      supportedVersions().get(
        "MCP TypeScript SDK (`@modelcontextprotocol/sdk`; `/server`, `/client`)",
      ),
    ).toBe("1.x (≥ 1.32), 2.x");
    const mcp = json("packages/mcp/package.json");
    expect(mcp.peerDependencies).toMatchObject({
      "@modelcontextprotocol/sdk": "^1.32",
      "@modelcontextprotocol/server": "^2",
      "@modelcontextprotocol/client": "^2",
    });
    const installed = ["sdk", "server", "client"].map(
      (name) =>
        json(`packages/mcp/node_modules/@modelcontextprotocol/${name}/package.json`).version,
    );
    expect(installed.map(major)).toEqual([1, 2, 2]);
    expect(read("README.md")).toContain(`SDK ${installed[0]} and ${installed[1]}`);
    // Nothing in CI narrows the MCP tests to one generation.
    const ci = read(".ci/run");
    expect(ci).toMatch(/^export WRIT_MCP_SDK=both$/m);
    expect(ci).not.toMatch(/WRIT_MCP_SDK=v[12]/);
  });

  it("LangChain 1.x: the peer ranges, and every workspace pin a 1.x release", () => {
    expect(supportedVersions().get("LangChain (`langchain`, `@langchain/*`)")).toBe("1.x");
    const peers = json("packages/langchain/package.json").peerDependencies ?? {};
    for (const name of ["langchain", "@langchain/core", "@langchain/langgraph"]) {
      expect(peers[name], name).toBe("^1");
    }
    const manifests = [
      "packages/langchain/package.json",
      "packages/mcp/package.json",
      "examples/mcp-gateway/package.json",
      "examples/research-chain/package.json",
      "examples/support-refunds/package.json",
    ];
    for (const manifest of manifests) {
      const { dependencies = {}, devDependencies = {} } = json(manifest);
      for (const [name, version] of Object.entries({ ...dependencies, ...devDependencies })) {
        if (name !== "langchain" && !name.startsWith("@langchain/")) continue;
        expect(version, `${manifest}: ${name}`).toMatch(/^1\.\d+\.\d+$/);
      }
    }
  });
});
