import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { shellWords } from "./markdown-code-blocks.js";
import { ENVIRONMENT } from "./writ-project.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

interface PackageJson {
  readonly name: string;
  readonly packageManager?: string;
  readonly scripts?: Record<string, string>;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
}
const readPackage = (path: string) => JSON.parse(readFileSync(path, "utf8")) as PackageJson;

const rootPackage = readPackage(join(ROOT, "package.json"));
const workspacePackages = ["packages", "examples"].flatMap((group) =>
  readdirSync(join(ROOT, group))
    .map((name) => join(ROOT, group, name, "package.json"))
    .filter((path) => existsSync(path))
    .map(readPackage),
);
/** Every package the workspace is or depends on, and its package manager. */
const knownPackages = new Set(
  [rootPackage, ...workspacePackages].flatMap((pkg) => [
    pkg.name,
    ...Object.keys({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.peerDependencies }),
  ]),
);
knownPackages.add(rootPackage.packageManager?.replace(/@.*$/, "") ?? "pnpm");

/**
 * The commands a page gives that a test cannot run as written (installs from
 * the registry, a real model's API key, minutes of benchmarks): what each
 * names must exist, a script of this repository, a package, a path.
 * Undefined when it does.
 */
export function missingTarget(command: string): string | undefined {
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
      return words[0] && words[0] in (rootPackage.scripts ?? {})
        ? undefined
        : `no script ${words[0]}`;
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
