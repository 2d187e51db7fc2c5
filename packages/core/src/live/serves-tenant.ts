/**
 * Whether an agent may act in a chain for a user of `tenant` (undefined: the
 * default tenant). An agent belongs to one tenant and serves only its users,
 * unless it is shared: infrastructure the deployment runs for every tenant,
 * such as an MCP gateway, whose one key cannot belong to an agent per tenant.
 */
export function servesTenant(
  agent: { readonly tenant?: string; readonly shared?: boolean },
  tenant: string | undefined,
): boolean {
  return agent.shared === true || agent.tenant === tenant;
}

/** Caller misuse: a shared agent serves every tenant, so it cannot belong to one. */
export function assertSharedHasNoTenant(agent: {
  readonly id: string;
  readonly tenant?: string;
  readonly shared?: boolean;
}): void {
  if (agent.shared === true && agent.tenant !== undefined) {
    throw new TypeError(
      `Agent "${agent.id}" cannot be shared and in tenant "${agent.tenant}": a shared agent serves every tenant; drop one of the two.`,
    );
  }
}
