/**
 * API reports: every public entry point of every package, printed as the
 * declarations a user of the published package sees (what `tsc` emits into
 * its .d.ts), one Markdown file per entry point under `packages/<name>/api/`.
 * A test compares them with the committed files, so a public API changes only
 * when someone regenerates the report (`pnpm api`) and commits it on purpose.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

export const REPOSITORY = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** One entry point of one package: `@writ/core/backend` → packages/core/src/backend/index.ts. */
export interface EntryPoint {
  /** The import specifier users write. */
  readonly specifier: string;
  /** The TypeScript source the `@writ/source` condition points at. */
  readonly source: string;
  /** Where its report is kept. */
  readonly report: string;
}

interface PackageJson {
  readonly name: string;
  readonly private?: boolean;
  readonly exports?: Readonly<Record<string, { readonly "@writ/source"?: string }>>;
}

/** Every entry point of every published package in packages/. */
export function entryPoints(): EntryPoint[] {
  const packagesDir = join(REPOSITORY, "packages");
  return readdirSync(packagesDir).flatMap((dir) => {
    const root = join(packagesDir, dir);
    const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as PackageJson;
    if (manifest.private) return [];
    return Object.entries(manifest.exports ?? {}).flatMap(([subpath, conditions]) => {
      const source = conditions["@writ/source"];
      if (source === undefined || !source.endsWith(".ts")) return [];
      const name = subpath === "." ? "index" : subpath.slice(2).replaceAll("/", "-");
      return [
        {
          specifier: subpath === "." ? manifest.name : `${manifest.name}/${subpath.slice(2)}`,
          source: join(root, source),
          report: join(root, "api", `${name}.api.md`),
        },
      ];
    });
  });
}

/** The report of each entry point, by report path. */
export function apiReports(entries: readonly EntryPoint[] = entryPoints()): Map<string, string> {
  const options = compilerOptions();
  const declarations = emitDeclarations(
    entries.map((entry) => entry.source),
    options,
  );
  const program = ts.createProgram({
    rootNames: entries.map((entry) => declarationPath(entry.source)),
    options: { ...options, noEmit: true },
    host: inMemoryHost(declarations, options),
  });
  const checker = program.getTypeChecker();
  const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });
  const reports = new Map<string, string>();
  for (const entry of entries) {
    const file = program.getSourceFile(declarationPath(entry.source));
    const module = file && checker.getSymbolAtLocation(file);
    if (!module) throw new Error(`No declarations were emitted for ${entry.specifier}.`);
    const sections = checker
      .getExportsOfModule(module)
      .map((exported) => describeExport(exported, checker, printer))
      .sort((a, b) => a.name.localeCompare(b.name));
    reports.set(entry.report, renderReport(entry, sections));
  }
  return reports;
}

interface ExportedDeclaration {
  readonly name: string;
  readonly text: string;
}

function describeExport(
  exported: ts.Symbol,
  checker: ts.TypeChecker,
  printer: ts.Printer,
): ExportedDeclaration {
  const target =
    exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const text = (target.declarations ?? [])
    .map((declaration) => {
      // A variable prints with its statement, so the report shows `export declare const`.
      const node = ts.isVariableDeclaration(declaration) ? declaration.parent.parent : declaration;
      const printed = printer.printNode(ts.EmitHint.Unspecified, node, node.getSourceFile());
      // The report names what users import; an export under another name says so.
      return target.name === exported.name
        ? printed
        : `${printed}\n// exported as ${exported.name}`;
    })
    .join("\n");
  return { name: exported.name, text };
}

function renderReport(entry: EntryPoint, sections: readonly ExportedDeclaration[]): string {
  const body = sections.map(
    (section) => `### ${section.name}\n\n\`\`\`ts\n${section.text}\n\`\`\``,
  );
  return [
    `# API report: \`${entry.specifier}\``,
    "",
    `Generated from \`${relative(REPOSITORY, entry.source)}\` by \`pnpm api\`; \`pnpm test\` fails when`,
    "it differs from what the sources export. Review changes here as changes to the public API.",
    "",
    ...body.flatMap((section) => [section, ""]),
  ].join("\n");
}

function compilerOptions(): ts.CompilerOptions {
  const configPath = join(REPOSITORY, "tsconfig.base.json");
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, REPOSITORY);
  // The reports need declarations, not a type check: `pnpm typecheck` does that.
  return {
    ...parsed.options,
    noEmit: false,
    emitDeclarationOnly: true,
    declarationMap: false,
    noCheck: true,
    skipLibCheck: true,
  };
}

/** The .d.ts text of every source file the entry points reach, keyed by its .d.ts path. */
function emitDeclarations(
  roots: readonly string[],
  options: ts.CompilerOptions,
): Map<string, string> {
  const program = ts.createProgram({ rootNames: roots, options });
  const emitted = new Map<string, string>();
  const result = program.emit(
    undefined,
    (fileName, text) => {
      if (fileName.endsWith(".d.ts")) emitted.set(resolve(fileName), text);
    },
    undefined,
    true,
  );
  const errors = result.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    throw new Error(ts.formatDiagnostics(errors, formatHost));
  }
  return emitted;
}

/** Emitted declarations sit beside their sources (no outDir is set for the report). */
function declarationPath(source: string): string {
  return resolve(source.replace(/\.tsx?$/, ".d.ts"));
}

/**
 * Reads emitted declarations from memory, everything else from disk, and
 * resolves imports as the sources do, landing on a module's declarations
 * rather than its source.
 */
function inMemoryHost(files: Map<string, string>, options: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(options);
  const original = host.getSourceFile.bind(host);
  host.fileExists = (fileName) => files.has(resolve(fileName)) || ts.sys.fileExists(fileName);
  host.readFile = (fileName) => files.get(resolve(fileName)) ?? ts.sys.readFile(fileName);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const text = files.get(resolve(fileName));
    return text === undefined
      ? original(fileName, languageVersion, onError, shouldCreate)
      : ts.createSourceFile(fileName, text, languageVersion, true);
  };
  host.resolveModuleNameLiterals = (literals, containingFile) =>
    literals.map((literal) => {
      const { resolvedModule } = ts.resolveModuleName(
        literal.text,
        containingFile,
        options,
        ts.sys,
      );
      if (!resolvedModule || resolvedModule.extension === ts.Extension.Dts)
        return { resolvedModule };
      const declarations = declarationPath(resolvedModule.resolvedFileName);
      return files.has(declarations)
        ? {
            resolvedModule: {
              ...resolvedModule,
              resolvedFileName: declarations,
              extension: ts.Extension.Dts,
            },
          }
        : { resolvedModule };
    });
  return host;
}

const formatHost: ts.FormatDiagnosticsHost = {
  getCanonicalFileName: (fileName) => fileName,
  getCurrentDirectory: () => REPOSITORY,
  getNewLine: () => "\n",
};
