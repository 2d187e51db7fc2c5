import { readFileSync } from "node:fs";
import {
  type Ed25519PublicJwk,
  type Grant,
  importPublicKey,
  parseGrants,
  type Scalar,
} from "@writ/core";
import { isPrincipalId } from "@writ/core/backend";
import { grantArgument } from "../grant-argument.js";
import { UsageError } from "../usage-error.js";

/**
 * The file `writ apply` reads (JSON):
 *
 * ```json
 * {
 *   "tenant": "acme",
 *   "roles": { "support": "refunds.approve(amount < 100); docs.read" },
 *   "policies": { "support-base": "refunds.*; docs.read" },
 *   "agents": { "support-bot": { "policies": ["support-base"], "policy": "email.send(to in @crm.contacts)", "keys": [{ "kty": "OKP", "crv": "Ed25519", "x": "…" }] },
 *               "gateway": { "policy": "*", "shared": true } },
 *   "sets": { "crm.contacts": ["a@example.com", "b@example.com"] }
 * }
 * ```
 */
export interface WritConfig {
  readonly tenant?: string;
  readonly roles: ReadonlyMap<
    string,
    { readonly grants: readonly Grant[]; readonly tenant?: string }
  >;
  readonly agents: ReadonlyMap<
    string,
    {
      readonly policy: readonly Grant[];
      readonly keys: readonly Ed25519PublicJwk[];
      readonly tenant?: string;
      /** Serves every tenant (then it has no tenant). */
      readonly shared?: true;
    }
  >;
  readonly sets: ReadonlyMap<string, readonly Scalar[]>;
}

const TOP_LEVEL = new Set(["$schema", "tenant", "roles", "policies", "agents", "sets"]);
const AGENT_MEMBERS = new Set(["policy", "policies", "keys", "tenant", "shared"]);
const ROLE_MEMBERS = new Set(["grants", "tenant"]);

/** Reads and checks a config file; every mistake names where it is. */
export function readWritConfig(path: string): WritConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(
      `${path} is not readable JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!isRecord(raw)) throw new UsageError(`${path} must hold a JSON object.`);
  const unknown = Object.keys(raw).filter((key) => !TOP_LEVEL.has(key));
  if (unknown.length > 0) {
    throw new UsageError(
      `${path}: unknown section${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}; it takes ${[...TOP_LEVEL].slice(1).join(", ")}.`,
    );
  }
  const tenant = optionalId(raw.tenant, "tenant");
  const policies = new Map<string, Grant[]>();
  for (const [name, declared] of entries(raw.policies, "policies")) {
    policies.set(name, grantsOf(declared, `policies.${name}`));
  }
  const roles = new Map<string, { grants: Grant[]; tenant?: string }>();
  for (const [id, declared] of entries(raw.roles, "roles")) {
    assertId(id, `roles.${id}`);
    const body = isRecord(declared) ? declared : { grants: declared };
    checkMembers(body, ROLE_MEMBERS, `roles.${id}`);
    const roleTenant = optionalId(body.tenant, `roles.${id}.tenant`) ?? tenant;
    roles.set(id, {
      grants: grantsOf(body.grants, `roles.${id}`),
      ...(roleTenant ? { tenant: roleTenant } : {}),
    });
  }
  const agents = new Map<
    string,
    { policy: Grant[]; keys: Ed25519PublicJwk[]; tenant?: string; shared?: true }
  >();
  for (const [id, declared] of entries(raw.agents, "agents")) {
    assertId(id, `agents.${id}`);
    if (!isRecord(declared))
      throw new UsageError(`agents.${id} must be an object with "policy" and/or "policies".`);
    checkMembers(declared, AGENT_MEMBERS, `agents.${id}`);
    const named = declared.policies === undefined ? [] : declared.policies;
    if (!Array.isArray(named) || named.some((name) => typeof name !== "string")) {
      throw new UsageError(`agents.${id}.policies must be a list of policy names.`);
    }
    const policy: Grant[] = [];
    for (const name of named as string[]) {
      const grants = policies.get(name);
      if (!grants)
        throw new UsageError(
          `agents.${id}.policies names "${name}", which the policies section does not declare.`,
        );
      policy.push(...grants);
    }
    if (declared.policy !== undefined)
      policy.push(...grantsOf(declared.policy, `agents.${id}.policy`));
    if (named.length === 0 && declared.policy === undefined) {
      throw new UsageError(
        `agents.${id} needs a "policy" or "policies": an agent with no policy can do nothing.`,
      );
    }
    const keys = (
      Array.isArray(declared.keys) ? declared.keys : declared.keys === undefined ? [] : null
    )?.map((jwk, index) => {
      try {
        return importPublicKey(jwk).jwk;
      } catch (error) {
        throw new UsageError(
          `agents.${id}.keys[${index}] is not an Ed25519 public JWK: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    });
    if (!keys) throw new UsageError(`agents.${id}.keys must be a list of public JWKs.`);
    if (declared.shared !== undefined && typeof declared.shared !== "boolean") {
      throw new UsageError(`agents.${id}.shared must be true or false.`);
    }
    if (declared.shared === true) {
      if (declared.tenant !== undefined) {
        throw new UsageError(
          `agents.${id} cannot be shared and have a tenant: a shared agent serves every tenant; drop one of the two.`,
        );
      }
      agents.set(id, { policy, keys, shared: true });
      continue;
    }
    const agentTenant = optionalId(declared.tenant, `agents.${id}.tenant`) ?? tenant;
    agents.set(id, { policy, keys, ...(agentTenant ? { tenant: agentTenant } : {}) });
  }
  const sets = new Map<string, Scalar[]>();
  for (const [name, values] of entries(raw.sets, "sets")) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(name))
      throw new UsageError(`sets.${name}: invalid set name.`);
    if (
      !Array.isArray(values) ||
      values.some((value) => !["string", "number", "boolean"].includes(typeof value))
    ) {
      throw new UsageError(`sets.${name} must be a list of strings, numbers or booleans.`);
    }
    sets.set(name, values as Scalar[]);
  }
  return { ...(tenant ? { tenant } : {}), roles, agents, sets };
}

function grantsOf(declared: unknown, where: string): Grant[] {
  if (typeof declared === "string") return grantArgument(declared, where);
  if (Array.isArray(declared)) {
    try {
      return parseGrants(declared);
    } catch (error) {
      throw new UsageError(`${where}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new UsageError(`${where} must be grant text or a list of JSON grants.`);
}

function entries(section: unknown, name: string): [string, unknown][] {
  if (section === undefined) return [];
  if (!isRecord(section)) throw new UsageError(`"${name}" must be an object keyed by id.`);
  return Object.entries(section);
}

function checkMembers(
  body: Record<string, unknown>,
  allowed: ReadonlySet<string>,
  where: string,
): void {
  const unknown = Object.keys(body).filter((key) => !allowed.has(key));
  if (unknown.length > 0)
    throw new UsageError(
      `${where}: unknown member ${unknown.join(", ")}; it takes ${[...allowed].join(", ")}.`,
    );
}

function optionalId(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  assertId(value, where);
  return value;
}

function assertId(value: unknown, where: string): asserts value is string {
  if (!isPrincipalId(value))
    throw new UsageError(`${where}: invalid id (1–128 letters, digits and . _ : @ / -).`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
