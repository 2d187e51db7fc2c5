import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  type CodeBlock,
  codeBlocks,
  documentationFiles,
  missingLine,
  placeOf,
  shellCommands,
} from "./markdown-code-blocks.js";
import { missingTarget } from "./repository-commands.js";
import { filesTestsRun } from "./tested-files.js";
import { linkPackages, typeErrors } from "./typescript-blocks.js";
import { cleanEnv, isWrit, WritProject } from "./writ-project.js";

/*
 * Every code block of the READMEs and docs is one of:
 * - marked `_Fragment of [name](path)_`: its lines are in that file, in order,
 *   and a test runs the file (it is a test, or a test imports it);
 * - marked `<!-- file: path -->`: it is that whole file, and a test runs it;
 * - unmarked TypeScript: complete, so it type-checks on its own (one program
 *   for all of them) and runs to its end;
 * - unmarked shell: its `writ` commands run, page by page in order, in a new
 *   project with the built CLI; the other commands (installs, this repository's
 *   scripts, a real model's key) cannot run in a test, so what each names must
 *   exist: a script, a workspace package or dependency, a path;
 * - text, JSON or another language that is not code: output, data and config.
 */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TYPESCRIPT = new Set(["ts", "typescript"]);
const SHELL = new Set(["sh", "bash", "shell"]);
const NOT_CODE = new Set(["text", "json", "jsonc", "yaml", "http"]);

const blocks = documentationFiles(ROOT).flatMap((doc) => codeBlocks(ROOT, doc));
const unmarked = (languages: Set<string>) =>
  blocks.filter((block) => languages.has(block.language) && block.marker === undefined);

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

  it("that are marked are what the file they name holds, and a test runs that file", () => {
    const tested = filesTestsRun(ROOT);
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
      const missing = kind === "fragment" ? missingLine(block.code, file) : undefined;
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
      ROOT,
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
      const project = new WritProject(work, doc);
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

const slug = (block: CodeBlock) => `${block.doc.replace(/[^\w]+/g, "-")}-${block.line}`;
