import { createAgentIdentity, Writ } from "@writ/core";
import { sqliteBackend } from "@writ/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, createWritServer, type WritServer } from "../src/index.js";

/**
 * A key of tenant A can never read, write or revoke anything of tenant B.
 * Every route of the OpenAPI document has a case here (a test fails when a
 * route is added without one); each case acts with A's key on B's records
 * and checks both the answer and that B's records did not change.
 */
describe("tenant isolation on every route", () => {
  let store: Awaited<ReturnType<typeof sqliteBackend>>;
  let server: WritServer;
  const keys = {
    operator: createApiKey({ label: "operator" }),
    a: createApiKey({ tenant: "a", label: "tenant a admin" }),
    aGuard: createApiKey({ tenant: "a", scopes: ["guard"], label: "tenant a guard" }),
    b: createApiKey({ tenant: "b", label: "tenant b admin" }),
    bGuard: createApiKey({ tenant: "b", scopes: ["guard"], label: "tenant b guard" }),
  };
  const bAgent = createAgentIdentity("b-agent");
  const aAgent = createAgentIdentity("a-agent");
  let bRootJti = "";
  let bApproval = "";
  let bPayloadHash = "";
  let bStoredKey = "";
  const covered = new Set<string>();

  async function call(
    key: keyof typeof keys,
    method: string,
    path: string,
    body?: unknown,
    // biome-ignore lint/suspicious/noExplicitAny: the cases read arbitrary JSON answers
  ): Promise<{ status: number; body: any }> {
    const response = await server.app.request(path, {
      method,
      headers: {
        authorization: `Bearer ${keys[key].key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const json = /^application\/(problem\+)?json/.test(response.headers.get("content-type") ?? "");
    return { status: response.status, body: json ? JSON.parse(text) : text };
  }

  /** Marks a route as covered by the case that follows. */
  const route = (method: string, path: string) => covered.add(`${method.toUpperCase()} ${path}`);

  beforeAll(async () => {
    store = await sqliteBackend({ path: ":memory:" });
    server = await createWritServer({
      store,
      apiKeys: Object.values(keys).map((created) => created.record),
      audience: "urn:writ:isolation",
    });
    for (const tenant of ["a", "b"])
      expect((await call("operator", "PUT", `/v1/tenants/${tenant}`)).status).toBe(200);
    // Tenant B's world, made with B's own keys.
    expect((await call("b", "PUT", "/v1/roles/b-role", { permissions: "docs.read" })).status).toBe(
      200,
    );
    expect(
      (await call("b", "PUT", "/v1/users/bob", { permissions: "docs.read", roles: ["b-role"] }))
        .status,
    ).toBe(200);
    expect(
      (
        await call("b", "PUT", "/v1/agents/b-agent", {
          policy: "docs.read",
          keys: [bAgent.key.publicJwk],
        })
      ).status,
    ).toBe(200);
    const issued = await call("b", "POST", "/v1/writs", { user: "bob", agent: "b-agent" });
    expect(issued.status).toBe(200);
    bRootJti = issued.body.jti;
    expect(Writ.parse(issued.body.writ).tenant).toBe("b");
    const requested = await call("bGuard", "POST", "/v1/approvals", {
      id: "b-approval",
      callId: "b-call",
      action: "docs.read",
      argsHash: "h",
      leafHash: "l",
      tool: "read",
      user: "bob",
      agent: "b-agent",
      tenant: "b",
      chain: ["b-agent"],
      requestedAt: Date.now(),
      expiresAt: Date.now() + 3_600_000,
    });
    expect(requested.status).toBe(200);
    bApproval = requested.body.approval.id;
    bPayloadHash = "ab".repeat(32);
    const appended = await call("bGuard", "POST", "/v1/ledger/append", {
      appends: [
        {
          entry: {
            kind: "decision",
            time: Date.now(),
            tenant: "b",
            user: "bob",
            agent: "b-agent",
            decision: "allow",
            reason: "granted",
            inputHash: bPayloadHash,
          },
          payloads: [{ hash: bPayloadHash, body: { secret: "b's input" } }],
        },
      ],
    });
    expect(appended.status).toBe(200);
    // A user must exist to be revoked.
    expect((await call("b", "PUT", "/v1/users/bob-old", { permissions: "docs.read" })).status).toBe(
      200,
    );
    expect(
      (
        await call("operator", "POST", "/v1/revocations", {
          kind: "user",
          id: "bob-old",
          reason: "b's reason",
        })
      ).status,
    ).toBe(200);
    const bKey = await call("b", "POST", "/v1/api-keys", { scopes: ["read"], label: "b's reader" });
    expect(bKey.status).toBe(200);
    bStoredKey = bKey.body.apiKey.id;
    // Tenant A's own world.
    await call("a", "PUT", "/v1/roles/a-role", { permissions: "docs.read" });
    await call("a", "PUT", "/v1/users/alice", { permissions: "docs.read" });
    await call("a", "PUT", "/v1/agents/a-agent", {
      policy: "docs.read",
      keys: [aAgent.key.publicJwk],
    });
  });

  afterAll(async () => {
    await server?.close();
    await store?.close();
  });

  const bobIntact = async () => {
    const bob = await store.getUser("bob");
    expect(bob).toMatchObject({
      tenant: "b",
      roles: ["b-role"],
      permissions: [{ action: "docs.read" }],
    });
    expect(bob?.identities.map((identity) => identity.subject)).not.toContain("mallory");
  };

  it("users", async () => {
    route("get", "/v1/users");
    for (const query of ["", "?tenant=b"]) {
      const listed = await call("a", "GET", `/v1/users${query}`);
      expect(listed.body.users.map((user: { id: string }) => user.id)).toEqual(["alice"]);
    }
    route("get", "/v1/users/{id}");
    expect((await call("a", "GET", "/v1/users/bob")).status).toBe(404);
    expect((await call("b", "GET", "/v1/users/bob")).status).toBe(200);
    route("put", "/v1/users/{id}");
    expect((await call("a", "PUT", "/v1/users/bob", { permissions: "email.send" })).body.code).toBe(
      "store.conflict",
    );
    expect((await call("a", "PUT", "/v1/users/newbie", { tenant: "b" })).status).toBe(403);
    route("put", "/v1/users/{id}/permissions");
    expect(
      (await call("a", "PUT", "/v1/users/bob/permissions", { permissions: "email.send" })).status,
    ).toBe(404);
    route("delete", "/v1/users/{id}");
    expect((await call("a", "DELETE", "/v1/users/bob")).status).toBe(404);
    route("put", "/v1/users/{id}/roles/{role}");
    expect((await call("a", "PUT", "/v1/users/bob/roles/a-role")).status).toBe(404);
    expect((await call("a", "PUT", "/v1/users/alice/roles/b-role")).status).toBe(404);
    route("delete", "/v1/users/{id}/roles/{role}");
    expect((await call("a", "DELETE", "/v1/users/bob/roles/b-role")).status).toBe(404);
    // Linked identities: B's are B's to link, read and unlink.
    const bIdentity = { issuer: "https://login.b.test", subject: "bob-at-b" };
    expect((await call("b", "PUT", "/v1/users/bob/identities", bIdentity)).status).toBe(200);
    route("put", "/v1/users/{id}/identities");
    expect(
      (
        await call("a", "PUT", "/v1/users/bob/identities", {
          issuer: "https://login.a.test",
          subject: "mallory",
        })
      ).status,
    ).toBe(404);
    // A's own user cannot take B's identity: one identity, one user.
    expect((await call("a", "PUT", "/v1/users/alice/identities", bIdentity)).body.code).toBe(
      "store.conflict",
    );
    route("delete", "/v1/users/{id}/identities");
    const query = new URLSearchParams(bIdentity).toString();
    expect((await call("a", "DELETE", `/v1/users/bob/identities?${query}`)).status).toBe(404);
    route("get", "/v1/identities");
    expect((await call("a", "GET", `/v1/identities?${query}`)).status).toBe(404);
    expect((await call("b", "GET", `/v1/identities?${query}`)).body.id).toBe("bob");
    route("post", "/v1/users");
    const provision = { identity: { issuer: "https://login.a.test", subject: "x" } };
    expect((await call("a", "POST", "/v1/users", { ...provision, id: "bob" })).body.code).toBe(
      "store.conflict",
    );
    expect(
      (await call("a", "POST", "/v1/users", { ...provision, id: "newcomer", tenant: "b" })).status,
    ).toBe(403);
    expect(
      (await call("a", "POST", "/v1/users", { id: "alex", identity: bIdentity })).body.code,
    ).toBe("store.conflict");
    expect((await store.userForIdentity(bIdentity))?.id).toBe("bob");
    await bobIntact();
    expect((await store.getUser("alice"))?.roles).toEqual([]);
  });

  it("roles", async () => {
    route("get", "/v1/roles");
    expect(
      (await call("a", "GET", "/v1/roles?tenant=b")).body.roles.map(
        (role: { id: string }) => role.id,
      ),
    ).toEqual(["a-role"]);
    route("get", "/v1/roles/{id}");
    expect((await call("a", "GET", "/v1/roles/b-role")).status).toBe(404);
    route("put", "/v1/roles/{id}");
    expect(
      (await call("a", "PUT", "/v1/roles/b-role", { permissions: "email.send" })).body.code,
    ).toBe("store.conflict");
    route("delete", "/v1/roles/{id}");
    expect((await call("a", "DELETE", "/v1/roles/b-role")).status).toBe(404);
    expect(await store.getRole("b-role")).toMatchObject({
      tenant: "b",
      permissions: [{ action: "docs.read" }],
      members: ["bob"],
    });
  });

  it("agents and their keys", async () => {
    route("get", "/v1/agents");
    expect(
      (await call("a", "GET", "/v1/agents?tenant=b")).body.agents.map(
        (agent: { id: string }) => agent.id,
      ),
    ).toEqual(["a-agent"]);
    route("get", "/v1/agents/{id}");
    expect((await call("a", "GET", "/v1/agents/b-agent")).status).toBe(404);
    route("put", "/v1/agents/{id}");
    expect((await call("a", "PUT", "/v1/agents/b-agent", { policy: "*" })).body.code).toBe(
      "store.conflict",
    );
    route("put", "/v1/agents/{id}/policy");
    expect(
      (await call("a", "PUT", "/v1/agents/b-agent/policy", { policy: "email.*" })).status,
    ).toBe(404);
    route("delete", "/v1/agents/{id}");
    expect((await call("a", "DELETE", "/v1/agents/b-agent")).status).toBe(404);
    route("post", "/v1/agents/{id}/keys");
    const intruder = createAgentIdentity("intruder");
    expect(
      (await call("a", "POST", "/v1/agents/b-agent/keys", { jwk: intruder.key.publicJwk })).status,
    ).toBe(404);
    route("delete", "/v1/agents/{id}/keys/{thumbprint}");
    expect((await call("a", "DELETE", `/v1/agents/b-agent/keys/${bAgent.thumbprint}`)).status).toBe(
      404,
    );
    const agent = await store.getAgent("b-agent");
    expect(agent).toMatchObject({ tenant: "b", policy: [{ action: "docs.read" }] });
    expect(agent?.keys.map((key) => key.thumbprint)).toEqual([bAgent.thumbprint]);
    // A shared agent serves tenant B's users too: only the operator may make one, and it has no tenant.
    const made = await call("a", "PUT", "/v1/agents/a-shared", { policy: "*", shared: true });
    expect(made).toMatchObject({ status: 403, body: { code: "auth.forbidden" } });
    expect(made.body.detail).toMatch(/shared agent serves every tenant.*operator API key/);
    expect(await store.getAgent("a-shared")).toBeUndefined();
    expect(
      (await call("operator", "PUT", "/v1/agents/gw", { policy: "*", shared: true, tenant: "a" }))
        .body,
    ).toMatchObject({ code: "request.invalid", detail: expect.stringMatching(/cannot be shared/) });
    expect(
      (await call("operator", "PUT", "/v1/agents/gw", { policy: "docs.read", shared: true })).body,
    ).toMatchObject({ id: "gw", shared: true });
    expect((await call("a", "PUT", "/v1/agents/gw", { policy: "*" })).body.code).toBe(
      "store.conflict",
    );
    expect(await store.getAgent("gw")).toMatchObject({
      shared: true,
      policy: [{ action: "docs.read" }],
    });
  });

  it("tenants and issuer keys", async () => {
    route("get", "/v1/tenants");
    expect(
      (await call("a", "GET", "/v1/tenants")).body.tenants.map(
        (tenant: { id: string }) => tenant.id,
      ),
    ).toEqual(["a"]);
    route("put", "/v1/tenants/{id}");
    expect((await call("a", "PUT", "/v1/tenants/c")).status).toBe(403);
    route("get", "/v1/keys");
    const listed = await call("a", "GET", "/v1/keys");
    expect(listed.status).toBe(200); // the issuer's public keys are every tenant's
    route("post", "/v1/keys/rotate");
    expect((await call("a", "POST", "/v1/keys/rotate")).status).toBe(403);
    route("post", "/v1/keys/{kid}/retire");
    expect((await call("a", "POST", `/v1/keys/${listed.body.keys[0].kid}/retire`)).status).toBe(
      403,
    );
    expect((await store.issuerJwks()).keys).toHaveLength(1);
  });

  it("issuing writs", async () => {
    route("post", "/v1/writs");
    expect((await call("a", "POST", "/v1/writs", { user: "bob", agent: "b-agent" })).status).toBe(
      404,
    );
    expect((await call("a", "POST", "/v1/writs", { user: "alice", agent: "b-agent" })).status).toBe(
      404,
    );
    expect((await call("a", "POST", "/v1/writs", { user: "alice", agent: "a-agent" })).status).toBe(
      200,
    );
  });

  it("revocation", async () => {
    route("post", "/v1/revocations");
    const targets = [
      ["user", "bob", 404],
      ["agent", "b-agent", 404],
      ["key", bAgent.thumbprint, 404],
      ["hop", bRootJti, 404],
      ["issuer_key", (await store.issuerJwks()).keys[0]?.kid, 403],
      ["api_key", bStoredKey, 404],
    ] as const;
    for (const [kind, id, status] of targets) {
      expect((await call("a", "POST", "/v1/revocations", { kind, id })).status).toBe(status);
    }
    expect((await store.listRevocations()).items.map((revocation) => revocation.id)).toEqual([
      "bob-old",
    ]);
    route("get", "/v1/revocations");
    expect((await call("a", "GET", "/v1/revocations")).body.revocations).toEqual([]);
    expect(
      (
        await call("operator", "POST", "/v1/revocations", {
          kind: "hop",
          id: "some-hop",
          reason: "private note",
        })
      ).status,
    ).toBe(200);
    const hops = (await call("a", "GET", "/v1/revocations")).body.revocations;
    expect(hops).toEqual([expect.objectContaining({ kind: "hop", id: "some-hop" })]);
    expect(hops[0].reason).toBeUndefined();
  });

  it("API keys", async () => {
    route("get", "/v1/api-keys");
    for (const query of ["", "?tenant=b"]) {
      const listed = await call("a", "GET", `/v1/api-keys${query}`);
      expect(listed.body.apiKeys).toEqual([]);
    }
    route("get", "/v1/api-keys/{id}");
    expect((await call("a", "GET", `/v1/api-keys/${bStoredKey}`)).status).toBe(404);
    expect((await call("b", "GET", `/v1/api-keys/${bStoredKey}`)).body).not.toHaveProperty("hash");
    route("post", "/v1/api-keys");
    expect((await call("a", "POST", "/v1/api-keys", { tenant: "b" })).status).toBe(403);
    expect((await call("aGuard", "POST", "/v1/api-keys", { scopes: ["guard"] })).status).toBe(403);
    const made = await call("a", "POST", "/v1/api-keys", { scopes: ["read"] });
    expect(made.body.apiKey).toMatchObject({ tenant: "a", scopes: ["read"] });
    const reader = { authorization: `Bearer ${made.body.key}` };
    const users = await server.app.request("/v1/users", { headers: reader });
    expect(((await users.json()) as { users: { id: string }[] }).users.map((u) => u.id)).toEqual([
      "alice",
    ]);
    expect(
      (await server.app.request("/v1/users/alice", { method: "DELETE", headers: reader })).status,
    ).toBe(403);
    expect(
      (await call("a", "POST", "/v1/revocations", { kind: "api_key", id: made.body.apiKey.id }))
        .status,
    ).toBe(200);
    expect((await server.app.request("/v1/users", { headers: reader })).status).toBe(401);
    expect((await store.getApiKey(bStoredKey))?.revoked).toBeUndefined();
  });

  it("approvals", async () => {
    route("get", "/v1/approvals");
    expect((await call("a", "GET", "/v1/approvals")).body.approvals).toEqual([]);
    expect((await call("b", "GET", "/v1/approvals")).body.approvals).toHaveLength(1);
    route("get", "/v1/approvals/{id}");
    expect((await call("aGuard", "GET", `/v1/approvals/${bApproval}`)).status).toBe(404);
    route("post", "/v1/approvals");
    const request = {
      id: "x",
      callId: "c",
      action: "docs.read",
      argsHash: "h",
      leafHash: "l",
      tool: "t",
      user: "bob",
      agent: "b-agent",
      chain: ["b-agent"],
      requestedAt: 1,
      expiresAt: 2,
    };
    expect(
      (await call("aGuard", "POST", "/v1/approvals", { ...request, tenant: "b" })).status,
    ).toBe(403);
    route("post", "/v1/approvals/{id}/decision");
    expect(
      (
        await call("aGuard", "POST", `/v1/approvals/${bApproval}/decision`, {
          approved: true,
          by: "mallory",
        })
      ).body.code,
    ).toBe("approval.invalid");
    route("post", "/v1/approvals/{id}/approve");
    expect(
      (await call("a", "POST", `/v1/approvals/${bApproval}/approve`, { by: "mallory" })).body.code,
    ).toBe("approval.invalid");
    route("post", "/v1/approvals/{id}/reject");
    expect(
      (await call("a", "POST", `/v1/approvals/${bApproval}/reject`, { by: "mallory" })).body.code,
    ).toBe("approval.invalid");
    expect((await store.getApproval(bApproval))?.status).toBe("pending");
    expect(
      (await call("b", "POST", `/v1/approvals/${bApproval}/approve`, { by: "b-manager" })).status,
    ).toBe(200);
    route("post", "/v1/approvals/{id}/consume");
    const spent = await call("aGuard", "POST", `/v1/approvals/${bApproval}/consume`, {
      action: "docs.read",
      tool: "read",
      argsHash: "h",
      leafHash: "l",
    });
    expect(spent.body).toEqual({ result: "unknown" });
    expect((await store.getApproval(bApproval))?.status).toBe("approved");
  });

  it("the ledger", async () => {
    route("post", "/v1/ledger/append");
    const entry = {
      kind: "decision",
      time: Date.now(),
      user: "bob",
      decision: "deny",
      reason: "writ.malformed",
    };
    expect(
      (
        await call("aGuard", "POST", "/v1/ledger/append", {
          appends: [{ entry: { ...entry, tenant: "b" } }],
        })
      ).status,
    ).toBe(403);
    // A row naming no tenant, from tenant A's guard, is tenant A's.
    const unattributed = await call("aGuard", "POST", "/v1/ledger/append", {
      appends: [{ entry }],
    });
    expect(unattributed.body.records[0]).toMatchObject({ tenant: "a", user: "bob" });
    route("get", "/v1/ledger");
    for (const query of ["", "?tenant=b", "?user=bob"]) {
      const rows = (await call("a", "GET", `/v1/ledger${query}`)).body.records as {
        tenant: string | null;
      }[];
      expect(rows.every((row) => row.tenant === "a")).toBe(true);
    }
    expect((await call("b", "GET", "/v1/ledger?user=bob&kind=decision")).body.records).toHaveLength(
      1,
    );
    route("get", "/v1/ledger/export");
    const exported = (await call("a", "GET", "/v1/ledger/export?format=jsonl&tenant=b"))
      .body as string;
    expect(
      exported
        .split("\n")
        .filter(Boolean)
        .every((line) => JSON.parse(line).tenant === "a"),
    ).toBe(true);
    route("get", "/v1/ledger/verify");
    expect((await call("a", "GET", "/v1/ledger/verify")).status).toBe(403);
    route("post", "/v1/ledger/verify");
    expect((await call("a", "POST", "/v1/ledger/verify", {})).status).toBe(403);
    // A tree head covers every tenant's rows: a tenant's key neither reads nor signs one.
    route("get", "/v1/ledger/tree-head");
    expect((await call("a", "GET", "/v1/ledger/tree-head")).status).toBe(403);
    route("post", "/v1/ledger/tree-head");
    expect((await call("a", "POST", "/v1/ledger/tree-head")).status).toBe(403);
    route("get", "/v1/ledger/evidence/{id}");
    const bRow = (await store.queryLedger({ tenant: "b", limit: 1 })).records[0];
    expect((await call("a", "GET", `/v1/ledger/evidence/${bRow?.id}`)).status).toBe(403);
    route("get", "/v1/ledger/consistency");
    expect((await call("a", "GET", "/v1/ledger/consistency?size1=0")).status).toBe(403);
    route("get", "/v1/ledger/payloads/{hash}");
    expect((await call("a", "GET", `/v1/ledger/payloads/${bPayloadHash}`)).status).toBe(403);
    route("delete", "/v1/ledger/payloads/{hash}");
    expect((await call("a", "DELETE", `/v1/ledger/payloads/${bPayloadHash}`)).status).toBe(403);
    expect((await store.getPayload(bPayloadHash))?.body).toEqual({ secret: "b's input" });
  });

  it("the delegation graph", async () => {
    route("post", "/v1/delegations");
    const record = {
      jti: "forged",
      parentJti: bRootJti,
      user: "bob",
      tenant: "b",
      fromAgent: "b-agent",
      toAgent: "a-agent",
      issuer: "writ",
      grants: [{ action: "docs.read" }],
      issuedAt: 1,
      expiresAt: 2,
    };
    expect((await call("aGuard", "POST", "/v1/delegations", { records: [record] })).status).toBe(
      403,
    );
    // A's guard key cannot file a hop id of B's under A, nor a hop of A's under B's hop:
    // the hop id is B's (409 writ.jti_reused), the lineage is B's (400 writ.broken_chain).
    const squatted = await call("aGuard", "POST", "/v1/delegations", {
      records: [{ ...record, jti: bRootJti, parentJti: null, tenant: "a", fromAgent: null }],
    });
    expect([squatted.status, squatted.body.code]).toEqual([409, "writ.jti_reused"]);
    const grafted = await call("aGuard", "POST", "/v1/delegations", {
      records: [{ ...record, tenant: "a", user: "alice" }],
    });
    expect([grafted.status, grafted.body.code]).toEqual([400, "writ.broken_chain"]);
    // So A's key can never come to revoke B's hop.
    expect((await call("a", "POST", "/v1/revocations", { kind: "hop", id: bRootJti })).status).toBe(
      404,
    );
    route("get", "/v1/delegations/{jti}");
    expect((await call("a", "GET", `/v1/delegations/${bRootJti}`)).status).toBe(404);
    const tree = await call("b", "GET", `/v1/delegations/${bRootJti}`);
    expect(tree.body).toMatchObject({ jti: bRootJti, tenant: "b", children: [] });
  });

  it("the console's routes: trees, calls, what-ifs, grant checks, chains and events", async () => {
    route("get", "/v1/delegations");
    expect(
      (await call("a", "GET", "/v1/delegations?tenant=b")).body.delegations.map(
        (hop: { jti: string }) => hop.jti,
      ),
    ).not.toContain(bRootJti);
    expect(
      (await call("b", "GET", "/v1/delegations")).body.delegations.map(
        (hop: { jti: string }) => hop.jti,
      ),
    ).toContain(bRootJti);
    route("get", "/v1/calls/{callId}");
    expect((await call("a", "GET", "/v1/calls/b-call")).status).toBe(404);
    route("post", "/v1/policies/what-if");
    expect(
      (
        await call("a", "POST", "/v1/policies/what-if", {
          subject: { kind: "agent", id: "b-agent" },
          grants: "docs.*",
        })
      ).status,
    ).toBe(404);
    route("post", "/v1/grants/validate");
    expect(
      (await call("a", "POST", "/v1/grants/validate", { text: "docs.read(" })).body,
    ).toMatchObject({
      ok: false,
      code: "grant.syntax",
    });
    route("get", "/v1/ledger/chains");
    expect((await call("a", "GET", "/v1/ledger/chains")).status).toBe(403);
    route("get", "/v1/events");
    expect((await call("aGuard", "GET", "/v1/events")).status).toBe(403);
  });

  it("budgets", async () => {
    const charge = {
      key: "user:bob docs.read count per 1d",
      scope: "user",
      subject: "bob",
      budget: "count <= 1 per 1d",
      max: 1,
      windowMs: 86_400_000,
      amount: 1,
    };
    route("post", "/v1/budgets/reservations");
    const reserve = (key: "aGuard" | "bGuard", id: string) =>
      call(key, "POST", "/v1/budgets/reservations", { id, callId: id, charges: [charge] });
    expect((await reserve("bGuard", "b-hold")).body).toEqual({ reserved: true });
    // A's guard key names the same counter, but reaches only tenant A's: B's budget is untouched.
    expect((await reserve("aGuard", "a-hold")).body).toEqual({ reserved: true });
    expect((await reserve("bGuard", "b-again")).body).toMatchObject({
      reserved: false,
      remaining: 0,
    });
    route("post", "/v1/budgets/reservations/{id}/release");
    const release = (key: "aGuard" | "bGuard", id: string) =>
      call(key, "POST", `/v1/budgets/reservations/${id}/release`, { callId: id });
    // Nor can A's key give back B's reservation by its id.
    expect((await release("aGuard", "b-hold")).status).toBe(204);
    expect((await reserve("bGuard", "b-again")).body).toMatchObject({ reserved: false });
    // Nor can B's key record charges its guard never took, to give them back.
    route("post", "/v1/ledger/append");
    const forged = await call("bGuard", "POST", "/v1/ledger/append", {
      appends: [
        {
          entry: {
            kind: "decision",
            time: Date.now(),
            callId: "b-forged",
            decision: "allow",
            detail: {
              budgetReservation: "tenant:b b-forged",
              budgetCharges: JSON.stringify([[`tenant:b ${charge.key}`, 0, 1]]),
            },
          },
        },
      ],
    });
    expect(forged).toMatchObject({ status: 400, body: { code: "request.invalid" } });
    expect((await release("bGuard", "b-forged")).status).toBe(204);
    expect((await reserve("bGuard", "b-again")).body).toMatchObject({ reserved: false });
    // B's own reservation, released, gives its budget back once.
    expect((await release("bGuard", "b-hold")).status).toBe(204);
    expect((await release("bGuard", "b-hold")).status).toBe(204);
    expect((await reserve("bGuard", "b-again")).body).toEqual({ reserved: true });
    expect((await reserve("bGuard", "b-more")).body).toMatchObject({ reserved: false });
    route("get", "/v1/budgets");
    expect((await call("aGuard", "GET", "/v1/budgets?subject=bob")).status).toBe(403);
    const seen = (await call("a", "GET", "/v1/budgets?subject=bob")).body.usage as {
      key: string;
      used: number;
    }[];
    expect(seen).toEqual([expect.objectContaining({ key: charge.key, used: 1 })]);
    expect(JSON.stringify(seen)).not.toContain("tenant:b");
    expect((await call("b", "GET", "/v1/budgets?subject=bob")).body.usage).toEqual([
      expect.objectContaining({ key: charge.key, used: 1, max: 1 }),
    ]);
  });

  it("the live feed", async () => {
    route("get", "/v1/live");
    const response = await server.app.request("/v1/live", {
      headers: { authorization: `Bearer ${keys.aGuard.key}` },
    });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    while (!text.includes("event: heartbeat"))
      text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const snapshot = JSON.parse(/event: snapshot\ndata: (.*)\n/.exec(text)?.[1] as string);
    expect(snapshot.users.map((user: { id: string }) => user.id)).toEqual(["alice"]);
    // And the operator's shared agent (made above), which serves every tenant.
    expect(snapshot.agents.map((agent: { id: string }) => agent.id)).toEqual(["a-agent", "gw"]);
    expect(JSON.stringify(snapshot)).not.toContain("bob");
  });

  it("admin routes refuse a guard-scoped key, and every route has a case above", async () => {
    expect((await call("aGuard", "GET", "/v1/users")).status).toBe(403);
    expect(
      (await call("aGuard", "POST", "/v1/writs", { user: "alice", agent: "a-agent" })).status,
    ).toBe(403);
    const doc = (await (await server.app.request("/openapi.json")).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const PUBLIC = new Set([
      "GET /.well-known/jwks.json",
      "GET /.well-known/writ-configuration",
      "GET /healthz",
      "POST /oauth/token",
    ]);
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const uncovered = routes.filter((entry) => !covered.has(entry) && !PUBLIC.has(entry));
    expect(uncovered).toEqual([]);
    expect(routes.length).toBeGreaterThan(40);
  });
});
