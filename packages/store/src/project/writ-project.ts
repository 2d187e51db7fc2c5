import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** The folder a Writ project keeps its store, keys and configuration in. */
export const PROJECT_FOLDER = ".writ";
/** The embedded store's file in a project folder, unless its config.json names another. */
export const PROJECT_DATABASE = "writ.db";

/** Where a project keeps its store, as its config.json says (a SQLite file by default). */
export type ProjectStore =
  | { readonly kind: "sqlite"; readonly path: string }
  | { readonly kind: "postgres"; readonly schema: string };

export interface WritProject {
  /** The project folder, absolute. */
  readonly dir: string;
  readonly store: ProjectStore;
  /** It has a config.json (`writ init` made it): its store must exist, never be created anew. */
  readonly configured: boolean;
}

/**
 * The Writ project a program in `cwd` belongs to, found the way the `writ`
 * command finds it: the folder WRIT_DIR names, else the nearest `.writ/` at
 * or above `cwd` that holds a config.json or a writ.db. So a store created in
 * code and the command line find each other from anywhere inside the project.
 */
export function findWritProject(
  options: { readonly cwd?: string; readonly env?: NodeJS.ProcessEnv } = {},
): WritProject | undefined {
  const env = options.env ?? process.env;
  const cwd = resolve(options.cwd ?? process.cwd());
  if (env.WRIT_DIR) {
    return project(resolve(cwd, env.WRIT_DIR));
  }
  for (let at = cwd; ; at = dirname(at)) {
    const dir = join(at, PROJECT_FOLDER);
    if (isProject(dir)) return project(dir);
    if (dirname(at) === at) return undefined;
  }
}

function project(dir: string): WritProject {
  return { dir, store: projectStore(dir), configured: existsSync(join(dir, "config.json")) };
}

function isProject(dir: string): boolean {
  try {
    return (
      statSync(dir).isDirectory() &&
      (existsSync(join(dir, "config.json")) || existsSync(join(dir, PROJECT_DATABASE)))
    );
  } catch {
    return false;
  }
}

/** The store a project's config.json names; a folder without one (made by code) keeps writ.db. */
function projectStore(dir: string): ProjectStore {
  let store: unknown;
  try {
    store = (JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as { store?: unknown })
      .store;
  } catch {
    store = undefined; // no config (a store made in code), or one the command reports on
  }
  const declared = store as { kind?: unknown; path?: unknown; schema?: unknown } | undefined;
  if (declared?.kind === "postgres") {
    return {
      kind: "postgres",
      schema: typeof declared.schema === "string" ? declared.schema : "public",
    };
  }
  return {
    kind: "sqlite",
    path: join(dir, typeof declared?.path === "string" ? declared.path : PROJECT_DATABASE),
  };
}
