import type { RemoteStoreAdmin } from "@writ/client";
import { type Grant, jwkThumbprint } from "@writ/core";
import { canonicalJson } from "@writ/core/backend";
import type { WritConfig } from "./writ-config.js";

/** One difference between the declared configuration and the store. */
export type PlannedChange =
  | {
      readonly kind: "role";
      readonly id: string;
      readonly action: "create" | "update";
      readonly before?: readonly Grant[];
      readonly grants: readonly Grant[];
      readonly tenant?: string;
    }
  | {
      readonly kind: "agent";
      readonly id: string;
      readonly action: "create" | "update";
      readonly before?: readonly Grant[];
      readonly policy: readonly Grant[];
      readonly tenant?: string;
      readonly shared?: true;
      /** Declared keys not registered yet. */
      readonly newKeys: readonly { readonly thumbprint: string; readonly jwk: object }[];
    }
  | {
      readonly kind: "set";
      readonly id: string;
      readonly action: "create" | "update";
      readonly before?: readonly unknown[];
      readonly values: readonly unknown[];
    };

export interface Plan {
  readonly changes: readonly PlannedChange[];
  /** Declared and already as declared. */
  readonly unchanged: readonly string[];
}

const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

/**
 * What applying `config` would change, and nothing else: roles and agents
 * whose grants, policy, tenant or keys differ, and named sets. What the file
 * does not declare is left alone.
 */
export async function planConfig(
  config: WritConfig,
  admin: RemoteStoreAdmin,
  currentSets: Readonly<Record<string, readonly unknown[]>>,
): Promise<Plan> {
  const changes: PlannedChange[] = [];
  const unchanged: string[] = [];
  for (const [id, role] of config.roles) {
    const existing = await admin.getRole(id);
    if (existing && same(existing.permissions, role.grants) && existing.tenant === role.tenant) {
      unchanged.push(`role ${id}`);
      continue;
    }
    changes.push({
      kind: "role",
      id,
      action: existing ? "update" : "create",
      ...(existing ? { before: existing.permissions } : {}),
      grants: role.grants,
      ...(role.tenant ? { tenant: role.tenant } : {}),
    });
  }
  for (const [id, agent] of config.agents) {
    const existing = await admin.getAgent(id);
    const registered = new Set(existing?.keys.map((key) => key.thumbprint) ?? []);
    const newKeys = agent.keys
      .map((jwk) => ({ thumbprint: jwkThumbprint(jwk), jwk }))
      .filter((key) => !registered.has(key.thumbprint));
    if (
      existing &&
      same(existing.policy, agent.policy) &&
      existing.tenant === agent.tenant &&
      (existing.shared === true) === (agent.shared === true) &&
      newKeys.length === 0
    ) {
      unchanged.push(`agent ${id}`);
      continue;
    }
    changes.push({
      kind: "agent",
      id,
      action: existing ? "update" : "create",
      ...(existing ? { before: existing.policy } : {}),
      policy: agent.policy,
      ...(agent.tenant ? { tenant: agent.tenant } : {}),
      ...(agent.shared ? { shared: true } : {}),
      newKeys,
    });
  }
  for (const [id, values] of config.sets) {
    const before = currentSets[id];
    if (before && same(before, values)) {
      unchanged.push(`set ${id}`);
      continue;
    }
    changes.push({
      kind: "set",
      id,
      action: before ? "update" : "create",
      ...(before ? { before } : {}),
      values,
    });
  }
  return { changes, unchanged };
}
