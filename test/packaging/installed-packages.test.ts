import { execFile } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkPackage, createPackageFromTarballData } from "@arethetypeswrong/core";
import { problemKindInfo } from "@arethetypeswrong/core/problems";
import type { ResolutionKind } from "@arethetypeswrong/core/types";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishablePackages, ROOT, testedPeers } from "./publishable-packages.js";

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], cwd: string): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({
        code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
        stdout,
        stderr,
      }),
    );
  });
}

const packages = publishablePackages();
/** What are-the-types-wrong's "esm-only" profile leaves out. */
const ESM_ONLY_IGNORES: readonly ResolutionKind[] = ["node10", "node16-cjs"];
/** `from "x"` and `import("x")` of a package (not a relative path) in a declaration file. */
const BARE_IMPORT = /(?:from|import\()\s*"([^".][^"]*)"/g;
const packageOf = (specifier: string) =>
  specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/");
const rootManifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  devDependencies: Record<string, string>;
};

/** Imports every entry point of every package as ESM: a missing file or declaration fails. */
function entryPointsProgram(): string {
  const entryPoints = packages.flatMap(({ entryPoints }) => entryPoints);
  return [
    ...entryPoints.map((specifier, index) => `import * as entry${index} from "${specifier}";`),
    `const imported: Record<string, object> = { ${entryPoints.map((specifier, index) => `"${specifier}": entry${index}`).join(", ")} };`,
    "console.log(JSON.stringify(Object.entries(imported).map(([name, exported]) => [name, Object.keys(exported).length])));",
    "",
  ].join("\n");
}

/**
 * The packages as a team gets them: packed as the README says (`pnpm
 * pack:packages`), checked by publint and are-the-types-wrong, installed with
 * npm into an empty project outside the workspace, then imported, type-checked
 * and run there, and the CLI's bin run.
 */
describe("the packed packages, installed with npm into a new project", () => {
  const folder = mkdtempSync(join(tmpdir(), "writ-packages-"));
  const packs = join(folder, "packs");
  const app = join(folder, "app");

  beforeAll(async () => {
    const packed = await run("pnpm", ["run", "--silent", "pack:packages", packs], ROOT);
    expect(packed.code, packed.stderr).toBe(0);
    mkdirSync(app);
    writeFileSync(
      join(app, "package.json"),
      JSON.stringify({ name: "writ-consumer", private: true, type: "module" }),
    );
    const installed = await run(
      "npm",
      [
        "install",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        ...packages.map(({ tarball }) => join(packs, tarball)),
        ...testedPeers(packages),
        `@types/node@${rootManifest.devDependencies["@types/node"]}`,
      ],
      app,
    );
    expect(installed.code, installed.stderr).toBe(0);
  });

  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it.each(packages)("$manifest.name ships the project's license and its README", ({ manifest }) => {
    const installed = join(app, "node_modules", manifest.name);
    expect(readFileSync(join(installed, "LICENSE"), "utf8")).toBe(
      readFileSync(join(ROOT, "LICENSE"), "utf8"),
    );
    expect(readFileSync(join(installed, "README.md"), "utf8")).toContain(manifest.name);
  });

  it.each(packages)("$manifest.name passes publint", async ({ tarball }) => {
    const data = readFileSync(join(packs, tarball));
    const { messages, pkg } = await publint({
      pack: { tarball: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) },
      strict: true,
    });
    expect(messages.map((message) => formatMessage(message, pkg, { color: false }))).toEqual([]);
  });

  it.each(packages)(
    "$manifest.name's types resolve for ESM users (are-the-types-wrong)",
    async ({ tarball }) => {
      const analysis = await checkPackage(
        createPackageFromTarballData(readFileSync(join(packs, tarball))),
      );
      if (analysis.types === false) throw new Error(`${tarball} has no type declarations.`);
      // The packages are ESM only: CommonJS resolution (node10, node16 from require) is out of scope.
      const problems = analysis.problems.filter(
        (problem) =>
          !("resolutionKind" in problem && ESM_ONLY_IGNORES.includes(problem.resolutionKind)),
      );
      expect(
        problems.map((problem) => `${problem.kind}: ${problemKindInfo[problem.kind].description}`),
      ).toEqual([]);
    },
  );

  it.each(packages)(
    "$manifest.name's declarations import only its dependencies and peers",
    ({ manifest }) => {
      const declared = new Set([
        ...Object.keys(manifest.dependencies ?? {}),
        ...Object.keys(manifest.peerDependencies ?? {}),
      ]);
      const dist = join(app, "node_modules", manifest.name, "dist");
      const undeclared = readdirSync(dist, { recursive: true, encoding: "utf8" })
        .filter((file) => file.endsWith(".d.ts"))
        .flatMap((file) =>
          [...readFileSync(join(dist, file), "utf8").matchAll(BARE_IMPORT)].map(
            ([, specifier = ""]) => ({ file, specifier }),
          ),
        )
        .filter(
          ({ specifier }) => !specifier.startsWith("node:") && !declared.has(packageOf(specifier)),
        )
        .map(({ file, specifier }) => `${file}: ${specifier}`);
      expect(undeclared).toEqual([]);
    },
  );

  it("type-checks (tsc strict, nodenext) and runs programs importing every entry point and making a guarded call", async () => {
    writeFileSync(join(app, "entry-points.ts"), entryPointsProgram());
    copyFileSync(
      new URL("./fixtures/guarded-call.ts", import.meta.url),
      join(app, "guarded-call.ts"),
    );
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "nodenext",
          target: "es2024",
          strict: true,
          types: ["node"],
          // As most projects do; the test above checks what Writ's declarations import.
          skipLibCheck: true,
        },
        files: ["entry-points.ts", "guarded-call.ts"],
      }),
    );
    const compiled = await run(
      process.execPath,
      [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"],
      app,
    );
    expect(compiled.code, compiled.stdout).toBe(0);
    const imported = await run(process.execPath, ["entry-points.js"], app);
    expect(imported.code, imported.stderr).toBe(0);
    const exportCounts = JSON.parse(imported.stdout) as [string, number][];
    expect(exportCounts.map(([name]) => name)).toEqual(
      packages.flatMap(({ entryPoints }) => entryPoints),
    );
    for (const [name, count] of exportCounts) expect(count, name).toBeGreaterThan(0);
    expect(await run(process.execPath, ["guarded-call.js"], app)).toMatchObject({
      code: 0,
      stdout: "allow\n",
    });
  });

  it("makes the guarded call without @opentelemetry/api, an optional peer, installed", async () => {
    const api = join(app, "node_modules/@opentelemetry/api");
    const hidden = join(app, "node_modules/@opentelemetry/api.hidden");
    renameSync(api, hidden);
    try {
      expect(await run(process.execPath, ["guarded-call.js"], app)).toMatchObject({
        code: 0,
        stdout: "allow\n",
      });
    } finally {
      renameSync(hidden, api);
    }
  });

  it("runs the CLI's bin: writ --version, --help, init and users list", async () => {
    const writ = (...args: string[]) => run(join(app, "node_modules/.bin/writ"), args, app);
    const cli = packages.find(({ manifest }) => manifest.name === "@writ/cli");
    const version = await writ("--version");
    expect(version).toMatchObject({ code: 0, stdout: `${cli?.manifest.version}\n` });
    const help = await writ("--help");
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain("Usage: writ <command>");
    const init = await writ("init", "--no-color");
    expect(init.code, init.stderr).toBe(0);
    expect(await writ("users", "list")).toMatchObject({ code: 0, stdout: "(no users)\n" });
  });
});
