import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import {
  type CodeBlock,
  codeBlocks,
  documentationFiles,
  missingLine,
  placeOf,
  shellCommands,
  shellWords,
} from "./markdown-code-blocks.js";

/*
 * Every code block of the READMEs and docs is one of:
 * - marked `_Fragment of [name](path)_`: its lines are in that file, in order,
 *   and a test runs the file (it is a test, or a test imports it);
 * - marked `<!-- file: path -->`: it is that whole file, and a test runs it;
 * - unmarked TypeScript: complete, so it type-checks on its own (one program
 *   for all of them) and runs to its end;
 * - unmarked shell of `writ` commands: they run, in order, in a new project
 *   with the built CLI (`writ serve` and `-f` in the background until the block ends);
 * - text, JSON or another language that is not code: output, data and config.
 */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TYPESCRIPT = new Set(["ts", "typescript"]);
const SHELL = new Set(["sh", "bash", "shell"]);
const NOT_CODE = new Set(["text", "json", "jsonc", "yaml", "http"]);

/**
 * Blocks not yet checked, by page and first line: the MCP gateway's, whose docs
 * are being rewritten on another branch, which is to make them complete or mark
 * them. An entry that names no unmarked block fails the test: the list only shrinks.
 */
const NOT_YET_CHECKED: readonly (readonly [doc: string, firstLine: string])[] = [
  [
    "docs/guide-mcp-gateway.md",
    "writ gateway                # listens on loopback at the resource URL's port (--host, --port); Ctrl-C stops",
  ],
  ["docs/guide-mcp-gateway.md", 'import { createServer } from "node:http";'],
  [
    "docs/guide-mcp-gateway.md",
    'import { Client } from "@modelcontextprotocol/sdk/client/index.js";',
  ],
  ["docs/guide-mcp-gateway.md", 'import { loadMcpTools } from "@langchain/mcp-adapters";'],
  ["packages/mcp/README.md", 'import { createGuard } from "@writ/core";'],
];
const notYetChecked = (block: CodeBlock) =>
  NOT_YET_CHECKED.some(
    ([doc, firstLine]) => block.doc === doc && block.code.split("\n")[0] === firstLine,
  );

const blocks = documentationFiles(ROOT).flatMap((doc) => codeBlocks(ROOT, doc));
const unmarked = (languages: Set<string>) =>
  blocks.filter(
    (block) => languages.has(block.language) && block.marker === undefined && !notYetChecked(block),
  );

const work = mkdtempSync(join(tmpdir(), "writ-docs-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the code blocks of the READMEs and docs", () => {
  it("each name a language this test knows", () => {
    const unknown = blocks
      .filter(
        (block) =>
          !TYPESCRIPT.has(block.language) &&
          !SHELL.has(block.language) &&
          !NOT_CODE.has(block.language),
      )
      .map((block) => `${placeOf(block)}: \`\`\`${block.language}`);
    expect(unknown).toEqual([]);
  });

  it("are all checked but those listed as not yet checked, which are still unmarked", () => {
    const stale = NOT_YET_CHECKED.filter(
      ([doc, firstLine]) =>
        !blocks.some(
          (block) =>
            block.marker === undefined &&
            notYetChecked(block) &&
            block.doc === doc &&
            block.code.startsWith(firstLine),
        ),
    );
    expect(stale, "remove these from NOT_YET_CHECKED").toEqual([]);
  });

  it("that are marked are what the file they name holds, and a test runs that file", () => {
    const tested = filesTestsRun();
    const wrong: string[] = [];
    for (const block of blocks) {
      if (!block.marker) continue;
      const { kind, path } = block.marker;
      if (!existsSync(join(ROOT, path))) {
        wrong.push(`${placeOf(block)}: ${path} does not exist`);
        continue;
      }
      if (!tested.has(path)) wrong.push(`${placeOf(block)}: no test runs ${path}`);
      const file = readFileSync(join(ROOT, path), "utf8");
      if (kind === "file" && block.code !== file) {
        wrong.push(`${placeOf(block)}: differs from ${path}`);
      }
      const missing = kind === "fragment" ? missingFrom(block, file) : undefined;
      if (missing) wrong.push(`${placeOf(block)}: ${path} has no line \`${missing}\` here`);
    }
    expect(wrong).toEqual([]);
  });

  it("in TypeScript and unmarked are complete: they type-check, and run to their end", () => {
    const files = unmarked(TYPESCRIPT).map((block) => {
      const file = join(work, "ts", `${slug(block)}.ts`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, block.code);
      return { block, file };
    });
    linkPackages(
      join(work, "ts"),
      files.map(({ block }) => block.code),
    );
    writeFileSync(join(work, "ts", "package.json"), '{ "type": "module" }\n');

    const errors = typeErrors(files.map(({ file }) => file)).map((error) => {
      const entry = files.find(({ file }) => file === error.file);
      return entry ? `${entry.block.doc}:${entry.block.line + error.line}: ${error.text}` : "";
    });
    expect(errors).toEqual([]);

    const failed: string[] = [];
    for (const { block, file } of files) {
      // Each block runs in a folder of its own, as a new project would.
      const cwd = mkdtempSync(join(work, "run-"));
      const run = spawnSync(process.execPath, ["--no-warnings", file], {
        cwd,
        encoding: "utf8",
        env: cleanEnv(),
      });
      if (run.status !== 0) failed.push(`${placeOf(block)}: exit ${run.status}\n${run.stderr}`);
    }
    expect(failed).toEqual([]);
  });

  it("in shell and unmarked run: writ commands in a project; other commands name what exists", async () => {
    const failed: string[] = [];
    const byDoc = Map.groupBy(unmarked(SHELL), (block) => block.doc);
    for (const [doc, docBlocks] of byDoc) {
      const project = new WritProject(doc);
      try {
        for (const block of docBlocks) {
          for (const command of shellCommands(block.code)) {
            const problem = isWrit(command) ? await project.run(command) : missingTarget(command);
            if (problem) failed.push(`${placeOf(block)}: \`${command}\`: ${problem}`);
          }
        }
      } finally {
        project.close();
      }
    }
    expect(failed).toEqual([]);
  });
});

function missingFrom(block: CodeBlock, file: string): string | undefined {
  if (!SHELL.has(block.language)) return missingLine(block.code, file);
  // A shell fragment's commands appear in the file's lines, in order.
  const lines = file.split("\n");
  let at = 0;
  for (const command of shellCommands(block.code)) {
    const found = lines.findIndex((line, index) => index >= at && line.includes(command));
    if (found < 0) return command;
    at = found + 1;
  }
  return undefined;
}

const slug = (block: CodeBlock) => `${block.doc.replace(/[^\w]+/g, "-")}-${block.line}`;

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", ...extra };
  for (const name of ["WRIT_URL", "WRIT_API_KEY", "WRIT_DATABASE_URL", "WRIT_DIR", "FORCE_COLOR"])
    delete env[name];
  return env;
}

/**
 * The packages the blocks import, linked into `dir/node_modules` as a project
 * that installed them would have them: the workspace's own, and the versions
 * the workspace's packages depend on.
 */
function linkPackages(dir: string, sources: readonly string[]): void {
  const names = new Set(["@types/node"]);
  for (const source of sources) {
    for (const [, specifier] of source.matchAll(/from "([^".][^"]*)"/g)) {
      if (!specifier || specifier.startsWith("node:")) continue;
      const parts = specifier.split("/");
      names.add(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? ""));
    }
  }
  const homes = [
    "node_modules",
    ...["packages", "examples"].flatMap((group) =>
      readdirSync(join(ROOT, group)).map((name) => join(group, name, "node_modules")),
    ),
  ];
  for (const name of names) {
    const found = name.startsWith("@writ/")
      ? join("packages", name.slice("@writ/".length))
      : homes.map((home) => join(home, name)).find((path) => existsSync(join(ROOT, path)));
    if (!found || !existsSync(join(ROOT, found))) {
      throw new Error(`No package of the workspace is ${name}: a block imports it.`);
    }
    const link = join(dir, "node_modules", name);
    mkdirSync(dirname(link), { recursive: true });
    if (!existsSync(link)) symlinkSync(join(ROOT, found), link);
  }
}

interface TypeError_ {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/** All the files in one program, against the packages' built declarations. */
function typeErrors(files: readonly string[]): TypeError_[] {
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2024,
    lib: ["lib.es2024.d.ts"],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ["node"],
    strict: true,
    verbatimModuleSyntax: true,
    skipLibCheck: true,
    noEmit: true,
  });
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const line = diagnostic.file?.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line ?? 0;
    return {
      file: diagnostic.file?.fileName ?? "",
      line: line + 1,
      text: ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"),
    };
  });
}

/** The files a test runs: the tests, and what they import, transitively. */
function filesTestsRun(): Set<string> {
  const queue: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.name === "node_modules" || entry.name === "dist") continue;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".test.ts")) queue.push(path);
    }
  };
  walk("test");
  for (const group of ["packages", "examples"]) {
    for (const name of readdirSync(join(ROOT, group))) {
      if (existsSync(join(ROOT, group, name, "test"))) walk(join(group, name, "test"));
    }
  }
  // CI runs this script (the README's install and demo commands).
  const reached = new Set<string>([".ci/run"]);
  while (queue.length > 0) {
    const file = queue.pop() ?? "";
    if (reached.has(file) || !existsSync(join(ROOT, file))) continue;
    reached.add(file);
    const source = readFileSync(join(ROOT, file), "utf8");
    for (const [, specifier] of source.matchAll(/(?:from |import\()"(\.{1,2}\/[^"]+)"/g)) {
      const target = relative(ROOT, join(ROOT, file, "..", specifier ?? ""));
      queue.push(target.replace(/\.js$/, ".ts"));
    }
  }
  return reached;
}

const WRIT_BIN = join(ROOT, "packages/cli/bin/writ.js");
const ENVIRONMENT = /^(\w+=\S*\s+)*/;
const isWrit = (command: string) => command.replace(ENVIRONMENT, "").startsWith("writ ");

/**
 * The folder a page's `writ` commands run in, in order, with the built CLI.
 * A page that starts elsewhere than `writ init` speaks of a project `writ init`
 * made. `writ serve` (on a free port) and `… -f` run in the background until the page ends.
 */
class WritProject {
  readonly #cwd: string;
  readonly #background: ChildProcess[] = [];
  #started = false;

  constructor(doc: string) {
    this.#cwd = mkdtempSync(join(work, `${doc.replace(/[^\w]+/g, "-")}-`));
  }

  /** Runs one command; what went wrong, or undefined. */
  async run(command: string): Promise<string | undefined> {
    const args = shellWords(command.replace(ENVIRONMENT, "")).slice(1);
    if (!this.#started && args[0] !== "init") this.#writ(["init"]);
    this.#started = true;
    if (args[0] === "serve" || args.includes("-f")) {
      const extra = args[0] === "serve" ? ["--port", "0", "--json"] : [];
      const child = spawn(process.execPath, [WRIT_BIN, ...args, ...extra], {
        cwd: this.#cwd,
        env: cleanEnv(),
      });
      this.#background.push(child);
      return firstOutput(child);
    }
    const run = this.#writ(args);
    return run.status === 0 ? undefined : `exit ${run.status}: ${run.stderr}`;
  }

  close(): void {
    for (const child of this.#background) child.kill("SIGTERM");
  }

  #writ(args: readonly string[]) {
    return spawnSync(process.execPath, [WRIT_BIN, ...args], {
      cwd: this.#cwd,
      encoding: "utf8",
      env: cleanEnv(),
    });
  }
}

/** Once a background command prints (serve: when it listens): undefined, or how it failed first. */
function firstOutput(child: ChildProcess): Promise<string | undefined> {
  return new Promise((resolve) => {
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout?.once("data", () => resolve(undefined));
    child.once("close", (code) => resolve(`exit ${code} before it printed: ${stderr}`));
  });
}

const rootPackage = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
  packageManager: string;
};
const workspacePackages = ["packages", "examples"].flatMap((group) =>
  readdirSync(join(ROOT, group))
    .map((name) => join(ROOT, group, name, "package.json"))
    .filter((path) => existsSync(path))
    .map(
      (path) =>
        JSON.parse(readFileSync(path, "utf8")) as {
          name: string;
          scripts?: Record<string, string>;
          dependencies?: Record<string, string>;
          devDependencies?: Record<string, string>;
          peerDependencies?: Record<string, string>;
        },
    ),
);
/** Every package name the workspace depends on or is. */
const knownPackages = new Set(
  [rootPackage, ...workspacePackages].flatMap((pkg) => {
    const {
      dependencies = {},
      devDependencies = {},
      peerDependencies = {},
    } = pkg as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
    };
    return [
      ...("name" in pkg ? [String(pkg.name)] : []),
      ...Object.keys({ ...dependencies, ...devDependencies, ...peerDependencies }),
    ];
  }),
);
knownPackages.add(rootPackage.packageManager.replace(/@.*$/, ""));

/**
 * The commands a page gives that a test cannot run as written (installs from
 * the registry, a real model's API key, minutes of benchmarks): what each
 * names must exist, a script of this repository, a package, a path.
 * Undefined when it does.
 */
function missingTarget(command: string): string | undefined {
  const [program, ...args] = shellWords(command.replace(ENVIRONMENT, ""));
  const words = args.filter((word) => !word.startsWith("-"));
  if (program === "cd" || program === "export" || (program === "git" && words[0] === "clone")) {
    return undefined; // the reader's own shell and clone
  }
  if (program === "npx" && words[0] === "vitest") {
    return words.slice(2).find((path) => !existsSync(join(ROOT, path)));
  }
  if (
    (program === "pnpm" || program === "npm") &&
    ["add", "install", "i"].includes(words[0] ?? "")
  ) {
    const unknown = words
      .slice(1)
      .flatMap(packageNames)
      .find((name) => !knownPackages.has(name));
    return unknown && `${unknown} is no package of the workspace or its dependencies`;
  }
  if (program === "pnpm") {
    const filter = args.indexOf("--filter");
    if (filter < 0) {
      return words[0] && words[0] in rootPackage.scripts ? undefined : `no script ${words[0]}`;
    }
    const pattern = new RegExp(`^${(args[filter + 1] ?? "").replace(/<[^>]+>/g, ".+")}$`);
    const script = args[filter + 2] ?? "";
    const packages = workspacePackages.filter((pkg) => pattern.test(pkg.name));
    return packages.length > 0 && packages.every((pkg) => script in (pkg.scripts ?? {}))
      ? undefined
      : `no workspace package ${args[filter + 1]} with a script ${script}`;
  }
  return "a test neither runs nor checks this: run it in a test and mark the block";
}

/** The packages an install argument names: `zod`, `ai@6`, `../writ-packages/writ-{core,store}-*.tgz`. */
function packageNames(argument: string): string[] {
  const tarball = /writ-(?:\{([^}]+)\}|([\w-]+?))-\*\.tgz$/.exec(argument);
  if (tarball) {
    return (tarball[1] ?? tarball[2] ?? "").split(",").map((name) => `@writ/${name}`);
  }
  return [argument.replace(/(.)@.*$/, "$1")];
}
