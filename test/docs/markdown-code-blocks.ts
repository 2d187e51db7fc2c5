import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/** A fenced code block of a markdown file, with what is written right before it. */
export interface CodeBlock {
  /** The markdown file, relative to the repository. */
  readonly doc: string;
  /** The line of the opening fence, 1-based. */
  readonly line: number;
  readonly language: string;
  /** The block's text, de-indented as far as its fence is. */
  readonly code: string;
  /**
   * What the block says it is, from the line right before it:
   * `_Fragment of [name](path)_` (visible, in italics) or `<!-- file: path -->` (the block
   * is that whole file; its first line names it). Paths are relative to the repository.
   */
  readonly marker?: { readonly kind: "fragment" | "file"; readonly path: string };
}

/** The markdown a team reads: every README (the root's, each package's and example's) and docs. */
export function documentationFiles(root: string): string[] {
  const markdown = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === "node_modules" ? [] : markdown(path);
      return entry.name.endsWith(".md") ? [path] : [];
    });
  const readmes = (group: string) =>
    readdirSync(join(root, group))
      .map((name) => join(group, name, "README.md"))
      .filter((path) => existsSync(join(root, path)));
  return [
    "README.md",
    ...readmes("packages"),
    ...markdown("examples").filter((path) => path.endsWith("README.md")),
    ...markdown("docs"),
  ].sort();
}

const FENCE = /^(\s*)```(\S*)\s*$/;
const FRAGMENT = /^\s*_Fragment of \[[^\]]+\]\(([^)#\s]+)\)[^_]*_\s*$/;
const FILE = /^\s*<!-- file: (\S+) -->\s*$/;

export function codeBlocks(root: string, doc: string): CodeBlock[] {
  const lines = readFileSync(join(root, doc), "utf8").split("\n");
  const blocks: CodeBlock[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = FENCE.exec(lines[index] ?? "");
    if (!open) continue;
    const indent = open[1]?.length ?? 0;
    const body: string[] = [];
    let end = index + 1;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end] ?? "")) {
      body.push((lines[end] ?? "").slice(indent));
      end++;
    }
    let before = index - 1;
    while (before >= 0 && (lines[before] ?? "").trim() === "") before--;
    const previous = lines[before] ?? "";
    const fragment = FRAGMENT.exec(previous)?.[1];
    const file = FILE.exec(previous)?.[1];
    const marked = fragment ?? file;
    blocks.push({
      doc,
      line: index + 1,
      language: open[2] ?? "",
      code: body.length === 0 ? "" : `${body.join("\n")}\n`,
      ...(marked !== undefined && {
        marker: {
          kind: fragment !== undefined ? "fragment" : "file",
          path: relative(root, join(root, doc, "..", marked)),
        },
      }),
    });
    index = end;
  }
  return blocks;
}

/** Where a block is, as an editor opens it. */
export const placeOf = (block: CodeBlock): string => `${block.doc}:${block.line}`;

/** An elision in a fragment: a line `…`, or a comment that starts with one (`// … more`). */
const ELISION = /^(\/\/\s*)?…/;

/**
 * The first line of a fragment that the file does not hold at that point: a
 * fragment's lines must appear in the file in the same order (compared without
 * their indentation; blank lines and elisions skipped). Undefined when all do.
 */
export function missingLine(fragment: string, file: string): string | undefined {
  const wanted = fragment
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !ELISION.test(line));
  const held = file.split("\n").map((line) => line.trim());
  let at = 0;
  for (const line of wanted) {
    const found = held.indexOf(line, at);
    if (found < 0) return line;
    at = found + 1;
  }
  return undefined;
}

/**
 * Shell commands of a block, one per entry: comments dropped, `\` continuations
 * joined, `a && b` split.
 */
export function shellCommands(code: string): string[] {
  return code
    .replace(/\\\n\s*/g, " ")
    .split("\n")
    .map(withoutComment)
    .flatMap((line) => line.split(" && "))
    .map((command) => command.trim())
    .filter((command) => command !== "");
}

function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === "#" && (index === 0 || /\s/.test(line[index - 1] ?? ""))) {
      return line.slice(0, index);
    }
  }
  return line;
}

/** A command's words, as a POSIX shell splits them (quotes, no expansions). */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (const char of command) {
    if (quote) {
      if (char === quote) quote = undefined;
      else word = (word ?? "") + char;
    } else if (char === '"' || char === "'") {
      quote = char;
      word ??= "";
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? "") + char;
  }
  if (word !== undefined) words.push(word);
  return words;
}
