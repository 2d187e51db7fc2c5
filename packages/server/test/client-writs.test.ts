import { KeyPair } from "@writ/core";
import { type StoreBackend, sqliteBackend } from "@writ/store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ClientWrits, gatewayAgentId } from "../src/oauth/client-writs.js";

const resource = { resource: "https://mcp.example.com/mcp", key: KeyPair.generate().publicJwk };
const gateway = gatewayAgentId(resource.resource);

/**
 * The agents behind MCP clients' access tokens: each client's agent in the
 * tenant of the person who consents, and the gateway's one agent shared by
 * every tenant.
 */
describe("the agents of an OAuth client's writs", () => {
  let store: StoreBackend;
  let writs: ClientWrits;

  beforeEach(async () => {
    store = await sqliteBackend({ path: ":memory:" });
    writs = new ClientWrits(store, "tools.*");
    await store.putUser({ id: "ann", tenant: "acme", permissions: "tools.echo" });
  });

  afterEach(() => store.close());

  const ensure = (agent: string, tenant: string | undefined) =>
    writs.ensureAgents({ agent, tenant, policy: "tools.echo", resource });

  it("makes the client's agent in the person's tenant and the gateway's agent shared, and issues a writ that passes through both", async () => {
    await ensure("mcp-client-acme", "acme");
    expect(await store.getAgent("mcp-client-acme")).toMatchObject({ tenant: "acme" });
    const agent = await store.getAgent(gateway);
    expect(agent).toMatchObject({ shared: true, policy: [{ action: "tools.*" }] });
    expect(agent?.tenant).toBeUndefined();
    const writ = await writs.issue(
      {
        user: "ann",
        agent: "mcp-client-acme",
        resource,
        grants: [{ action: "tools.echo" }],
      },
      300,
    );
    expect(writ.hops.map((hop) => hop.claims.aud)).toEqual(["mcp-client-acme", gateway]);
    expect(writ.root.claims.tnt).toBe("acme");
  });

  it("makes a gateway agent from before shared agents shared, keeping its policy", async () => {
    await store.putAgent({ id: gateway, policy: "tools.echo", keys: [resource.key] });
    await ensure("mcp-client-default", undefined);
    expect(await store.getAgent(gateway)).toMatchObject({
      shared: true,
      policy: [{ action: "tools.echo" }],
    });
  });

  it("refuses to take over the gateway's agent id when a tenant holds it", async () => {
    await store.putAgent({ id: gateway, tenant: "acme", policy: "*" });
    await expect(ensure("mcp-client-acme", "acme")).rejects.toMatchObject({
      code: "store.conflict",
    });
    expect(await store.getAgent(gateway)).toMatchObject({ tenant: "acme", keys: [] });
  });
});
