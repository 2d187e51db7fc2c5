import { existsSync, mkdirSync, readdirSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import ts from "typescript";

/**
 * The packages the blocks import, linked into `dir/node_modules` as a project
 * that installed them would have them: the workspace's own, and the versions
 * the workspace's packages depend on.
 */
export function linkPackages(root: string, dir: string, sources: readonly string[]): void {
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
      readdirSync(join(root, group)).map((name) => join(group, name, "node_modules")),
    ),
  ];
  for (const name of names) {
    const found = name.startsWith("@writ/")
      ? join("packages", name.slice("@writ/".length))
      : homes.map((home) => join(home, name)).find((path) => existsSync(join(root, path)));
    if (!found || !existsSync(join(root, found))) {
      throw new Error(`No package of the workspace is ${name}: a block imports it.`);
    }
    const link = join(dir, "node_modules", name);
    mkdirSync(dirname(link), { recursive: true });
    if (!existsSync(link)) symlinkSync(join(root, found), link);
  }
}

export interface TypeCheckError {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/** All the files in one program, against the packages' built declarations. */
export function typeErrors(files: readonly string[]): TypeCheckError[] {
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
