import { isAbsolute, join, resolve } from "node:path";
import type { KeyPair, PayloadPolicy } from "@writ/core";
import type { GatewayOptions, UpstreamConfig } from "@writ/mcp";
import { UsageError } from "../usage-error.js";
import { readKeyFile, readOrCreateKeyFile } from "./key-file.js";

/** `.writ/config.json`'s `"gateway"` section, as `writ gateway` runs it. */
export interface GatewayConfig {
  /** The gateway's public MCP URL: its guard's audience. */
  readonly resource: string;
  /** What the guard's ledger keeps of arguments and results (JSON: actions and tools opted into full payloads). */
  readonly payloads?: PayloadPolicy;
  /** createGateway's options, every one the section sets (the guard and event listener come from the command). */
  readonly options: Omit<GatewayOptions, "guard" | "onEvent" | "signingKey"> & {
    readonly signingKey: KeyPair;
  };
}

/** The gateway's key when the section names none: kept in the project folder, so its JWKS and identity survive restarts. */
const DEFAULT_GATEWAY_KEY_FILE = "gateway-key.jwk";

/** Options whose value is JSON as createGateway takes it. */
const PASSED_ON = [
  "upstreams",
  "tokenTtl",
  "issuer",
  "clientId",
  "authorizationServers",
  "allowedHosts",
  "allowedOrigins",
  "callTimeoutMs",
  "connectTimeoutMs",
  "pingTimeoutMs",
  "restartBackoff",
  "sessionIdleMs",
  "maxSessions",
  "maxSessionsPerPrincipal",
  "maxBodyBytes",
] as const satisfies readonly (keyof GatewayOptions)[];

const KNOWN = ["resource", "signingKey", "payloads", ...PASSED_ON];

/**
 * Reads the gateway section of a project's configuration: every gateway
 * option it can hold, checked here so a misspelt key is an error naming it
 * rather than an option silently left at its default. Relative paths are
 * read against the folder of the configuration file, whatever folder the
 * command runs in: the signing key file, and each stdio upstream's `cwd`
 * (by default that folder itself, so relative arguments resolve there too)
 * and a `command` given as a path.
 */
export function gatewayConfig(section: unknown, configDir: string): GatewayConfig {
  if (section === null || typeof section !== "object" || Array.isArray(section)) {
    throw new UsageError(
      'Declare the gateway in .writ/config.json: "gateway": { "resource": "http://127.0.0.1:8080/mcp", "upstreams": { … } }.',
      "gateway",
    );
  }
  const config = section as Record<string, unknown>;
  for (const key of Object.keys(config)) {
    if (!KNOWN.includes(key)) {
      throw new UsageError(
        `.writ/config.json: the gateway section has an unknown key "${key}". Known: ${KNOWN.join(", ")}.`,
        "gateway",
      );
    }
  }
  const { resource, signingKey, payloads, upstreams } = config;
  if (typeof resource !== "string" || resource.length === 0) {
    throw new UsageError(
      '.writ/config.json: the gateway needs "resource", its public MCP URL (e.g. "http://127.0.0.1:8080/mcp").',
      "gateway",
    );
  }
  if (upstreams === null || typeof upstreams !== "object" || Array.isArray(upstreams)) {
    throw new UsageError(
      '.writ/config.json: the gateway needs "upstreams": { "<name>": { … } }.',
      "gateway",
    );
  }
  const options: Record<string, unknown> = {};
  for (const key of PASSED_ON) if (config[key] !== undefined) options[key] = config[key];
  options.upstreams = Object.fromEntries(
    Object.entries(upstreams).map(([name, upstream]) => [name, relativeTo(configDir, upstream)]),
  );
  options.signingKey =
    signingKey === undefined
      ? readOrCreateKeyFile(join(configDir, DEFAULT_GATEWAY_KEY_FILE))
      : readKeyFile(signingKeyPath(signingKey, configDir));
  return {
    resource,
    options: options as GatewayConfig["options"],
    ...(payloads === undefined ? {} : { payloads: payloadPolicy(payloads) }),
  };
}

/** A stdio upstream's paths, read against the configuration's folder; an HTTP upstream as it is. */
function relativeTo(configDir: string, upstream: unknown): UpstreamConfig {
  if (upstream === null || typeof upstream !== "object" || "url" in upstream) {
    return upstream as UpstreamConfig;
  }
  const stdio = upstream as { command?: unknown; cwd?: unknown };
  const cwd = typeof stdio.cwd === "string" ? resolve(configDir, stdio.cwd) : configDir;
  const command =
    typeof stdio.command === "string" && /[\\/]/.test(stdio.command) && !isAbsolute(stdio.command)
      ? resolve(configDir, stdio.command)
      : stdio.command;
  return { ...upstream, command, cwd } as UpstreamConfig;
}

/**
 * The file holding the gateway's private key, which signs the tokens minted
 * for HTTP upstreams and which the writs of OAuth clients' access tokens are
 * bound to: a private Ed25519 JWK, owner-only.
 */
function signingKeyPath(path: unknown, configDir: string): string {
  if (typeof path !== "string") {
    throw new UsageError(
      '.writ/config.json: the gateway\'s "signingKey" is the path of a file holding a private Ed25519 JWK.',
      "gateway",
    );
  }
  return resolve(configDir, path);
}

/** `"payloads": { "full": { "actions": [...], "tools": [...] } }`: the JSON form of the guard's payload policy. */
function payloadPolicy(value: unknown): PayloadPolicy {
  const full = (value as { full?: unknown } | null)?.full;
  const keys = value !== null && typeof value === "object" ? Object.keys(value) : [];
  const unknown = keys.find((key) => key !== "full");
  if (
    unknown !== undefined ||
    (full !== undefined && (full === null || typeof full !== "object"))
  ) {
    throw new UsageError(
      `.writ/config.json: the gateway's "payloads" is { "full": { "actions": [...], "tools": [...] } }${unknown === undefined ? "" : `; "${unknown}" is not a key of it`}.`,
      "gateway",
    );
  }
  const lists = (full ?? {}) as Record<string, unknown>;
  for (const [key, list] of Object.entries(lists)) {
    if (
      (key !== "actions" && key !== "tools") ||
      !Array.isArray(list) ||
      !list.every((item) => typeof item === "string")
    ) {
      throw new UsageError(
        `.writ/config.json: the gateway's "payloads.full.${key}" is not a list of ${key === "tools" ? "tool names" : "action patterns"}; full takes "actions" and "tools".`,
        "gateway",
      );
    }
  }
  return { full: lists as { actions?: string[]; tools?: string[] } };
}
