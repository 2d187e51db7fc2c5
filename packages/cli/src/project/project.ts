import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join, resolve } from "node:path";
import type {
  ConsoleOptions,
  OAuthResource,
  OAuthServerOptions,
  RateLimit,
  TokenExchangeOptions,
} from "@writ/server";
import { UsageError } from "../usage-error.js";

/** `.writ/config.json`. */
export interface ProjectConfig {
  /** The issuer id root writs carry. */
  readonly issuer: string;
  /**
   * The project's one store: the embedded SQLite file (relative to the
   * project folder), or a Postgres database whose URL each command is given
   * (`--database-url`, `WRIT_DATABASE_URL`), in `schema` (default public).
   */
  readonly store:
    | { readonly kind: "sqlite"; readonly path: string }
    | { readonly kind: "postgres"; readonly schema?: string };
  /** The longest lifetime `writ issue` and `writ delegate` give a writ, in seconds (default 86,400: a day). */
  readonly maxTtl?: number;
  /** The audience `writ serve` answers to (default: the URL it listens on). */
  readonly audience?: string;
  /** Identity providers for token exchange, read by `writ serve`. */
  readonly tokenExchange?: TokenExchangeOptions;
  /** The console's options (`oidc` sign-in, `sessionTtl`), read by `writ serve`. */
  readonly console?: ConsoleOptions;
  /**
   * Requests each caller (API key, else client address) may make of `writ
   * serve`: a token bucket of `burst`, refilled at `perSecond` (default 1,000
   * a second, bursts of 2,000). A remote guard makes one a decision.
   */
  readonly rateLimit?: RateLimit;
  /**
   * `writ serve` as the OAuth authorization server of MCP gateways, for stock
   * MCP clients; `writ gateway` then takes its access tokens. `resources`
   * defaults to this project's gateway, with its signing key.
   */
  readonly oauth?: Omit<OAuthServerOptions, "resources"> & {
    readonly resources?: readonly OAuthResource[];
  };
  /**
   * The MCP gateway `writ gateway` runs: its public MCP URL, the servers
   * behind it and any other gateway option (checked by `writ gateway`).
   */
  readonly gateway?: Readonly<Record<string, unknown>>;
}

/** Where a running `writ serve` on this project's SQLite store listens: the CLI then goes through it. */
export interface ServerInfo {
  readonly url: string;
  readonly pid: number;
}

const PRIVATE = 0o600;

/**
 * The `.writ/` folder of a project: its configuration, the SQLite store
 * (which also holds the API key hashes a server accepts), the CLI's own
 * operator key, named sets and agents' private keys. Everything in it is
 * owner-only.
 */
export class Project {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  exists(): boolean {
    return existsSync(join(this.dir, "config.json"));
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  config(): ProjectConfig {
    if (!this.exists()) {
      throw new UsageError(
        `No Writ project at ${this.dir}: run \`writ init\`, or pass --url to use a Writ server.`,
      );
    }
    return checkConfig(this.#read<unknown>("config.json"), this.path("config.json"));
  }

  create(config: ProjectConfig): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    // Nothing in here belongs in version control: it holds keys.
    this.#write(".gitignore", "*\n");
    this.#write("config.json", `${JSON.stringify(config, null, 2)}\n`);
  }

  // ── The CLI's own API key (the server's keys live in the store) ────────

  credentials(): string | undefined {
    return existsSync(this.path("credentials.json"))
      ? this.#read<{ apiKey: string }>("credentials.json").apiKey
      : undefined;
  }

  saveCredentials(apiKey: string): void {
    this.#write("credentials.json", `${JSON.stringify({ apiKey }, null, 2)}\n`);
  }

  // ── A server running on this project ───────────────────────────────────

  server(): ServerInfo | undefined {
    if (!existsSync(this.path("server.json"))) return undefined;
    const info = this.#read<ServerInfo>("server.json");
    try {
      process.kill(info.pid, 0);
      return info;
    } catch {
      return undefined; // it exited without cleaning up
    }
  }

  saveServer(info: ServerInfo): void {
    this.#write("server.json", `${JSON.stringify(info)}\n`);
  }

  clearServer(): void {
    rmSync(this.path("server.json"), { force: true });
  }

  // ── Named sets (resolved by guards, never stored in tokens) ─────────────

  sets(): Record<string, string[]> {
    return existsSync(this.path("sets.json"))
      ? this.#read<Record<string, string[]>>("sets.json")
      : {};
  }

  saveSets(sets: Readonly<Record<string, readonly string[]>>): void {
    this.#write("sets.json", `${JSON.stringify(sets, null, 2)}\n`);
  }

  /** A JSON file of the project folder, read. */
  readJson<T>(name: string): T {
    return this.#read<T>(name);
  }

  #read<T>(name: string): T {
    const file = this.path(name);
    try {
      return JSON.parse(readFileSync(file, "utf8")) as T;
    } catch (error) {
      throw new UsageError(
        `${file} is not readable JSON: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** Writes owner-only, through a temporary file, so a reader never sees half a file. */
  #write(name: string, text: string): void {
    const file = this.path(name);
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, text, { mode: PRIVATE });
    renameSync(temporary, file);
  }
}

/** The project folder: --dir, WRIT_DIR, or ./.writ. */
export function projectFor(dir: string | undefined, env: NodeJS.ProcessEnv, cwd: string): Project {
  return new Project(resolve(cwd, dir ?? env.WRIT_DIR ?? ".writ"));
}

/** The longest lifetime a writ gets from the CLI unless config.json says otherwise: a day. */
export const DEFAULT_MAX_TTL = 86_400;

function object(expected: string): (value: unknown) => string | undefined {
  return (value) =>
    typeof value === "object" && value !== null && !Array.isArray(value) ? undefined : expected;
}

const CONFIG_KEYS: Readonly<Record<string, (value: unknown) => string | undefined>> = {
  issuer: (value) => (typeof value === "string" ? undefined : "a string (the issuer id)"),
  store: (value) => {
    const store = value as { kind?: unknown; path?: unknown; schema?: unknown } | null;
    const sqlite =
      store?.kind === "sqlite" && typeof store.path === "string" && Object.keys(store).length === 2;
    const postgres =
      store?.kind === "postgres" &&
      (store.schema === undefined || typeof store.schema === "string") &&
      Object.keys(store).every((key) => key === "kind" || key === "schema");
    return sqlite || postgres
      ? undefined
      : '{ "kind": "sqlite", "path": "<file in the project folder>" } or { "kind": "postgres", "schema"?: "<schema>" }';
  },
  maxTtl: (value) =>
    Number.isSafeInteger(value) && (value as number) > 0 ? undefined : "a whole number of seconds",
  audience: (value) => (typeof value === "string" ? undefined : "a string (a URL or URN)"),
  tokenExchange: object("an object (the server's token exchange options)"),
  console: object('an object (the console\'s options: "oidc", "sessionTtl", "enabled")'),
  rateLimit: (value) => {
    const limit = value as { perSecond?: unknown; burst?: unknown } | null;
    const finite = (number: unknown): number is number =>
      typeof number === "number" && Number.isFinite(number);
    return typeof limit === "object" &&
      limit !== null &&
      Object.keys(limit).every((key) => key === "perSecond" || key === "burst") &&
      finite(limit.perSecond) &&
      limit.perSecond > 0 &&
      finite(limit.burst) &&
      limit.burst >= 1
      ? undefined
      : '{ "perSecond": <requests a second, > 0>, "burst": <requests at once, ≥ 1> }';
  },
  oauth: object(
    'an object (the OAuth authorization server\'s options: "issuer", the server\'s public URL, and optionally "resources", "accessTokenTtl", "clientPolicy", …)',
  ),
  // `writ gateway` checks the section's own keys, naming any it does not know.
  gateway: object(
    'an object: { "resource": "<public MCP URL>", "upstreams": { … }, …any gateway option }',
  ),
};

/** The project's configuration, or a usage error naming the file, the key and what it must be. */
function checkConfig(value: unknown, file: string): ProjectConfig {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new UsageError(`${file} must hold a JSON object: fix it, or restore it from a backup.`);
  for (const [key, member] of Object.entries(value)) {
    const check = CONFIG_KEYS[key];
    if (!check)
      throw new UsageError(
        `${file}: unknown key "${key}". The keys are ${Object.keys(CONFIG_KEYS).join(", ")}: remove it or fix its name.`,
      );
    const expected = check(member);
    if (expected !== undefined)
      throw new UsageError(
        `${file}: "${key}" must be ${expected}. Fix it and run the command again.`,
      );
  }
  for (const key of ["issuer", "store"])
    if (!(key in value))
      throw new UsageError(`${file} has no "${key}": add it (writ init writes both).`);
  return value as ProjectConfig;
}
