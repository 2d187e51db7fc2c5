import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { createAgentIdentity, Writ } from "@writ/core";
import { createApiKey } from "@writ/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWrit, writ } from "./support/run-writ.js";

/**
 * The real `writ` binary against one project, in order: each step builds on
 * the last, as a person would use it.
 */
describe("the writ command", () => {
  let cwd: string;
  const run = (...args: string[]) => writ(args, { cwd });
  const json = async <T>(...args: string[]): Promise<T> => {
    const result = await run(...args, "--json");
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as T;
  };

  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), "writ-cli-"));
  });

  afterAll(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  it("init creates .writ/ with the store, an issuer key and an operator key, owner-only", async () => {
    const result = await run("init", "--issuer", "acme-writ");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("issuer            acme-writ");
    const dir = join(cwd, ".writ");
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const file of ["writ.db", "credentials.json", "config.json"]) {
      expect(statSync(join(dir, file)).mode & 0o077, file).toBe(0);
    }
    const { apiKey } = JSON.parse(readFileSync(join(dir, "credentials.json"), "utf8")) as {
      apiKey: string;
    };
    // The operator key's hash is in the store, never the key.
    expect(readFileSync(join(dir, "writ.db")).includes(apiKey.split(".")[1] as string)).toBe(false);
    const keys = await json<{ id: string; label: string }[]>("api-keys", "list");
    expect(keys).toEqual([
      expect.objectContaining({ id: apiKey.slice(5, 21), label: "writ CLI (operator)" }),
    ]);
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toBe("*\n");
    const again = await run("init");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already holds a Writ project");
  });

  it("explains bad commands, flags and grant text, with documented exit codes", async () => {
    const none = await run();
    expect(none.code).toBe(2);
    expect(none.stdout).toContain("Exit codes: 0 ok, 1 failed, 2 usage, 3 not found");
    const unknown = await run("users", "frobnicate");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      '"writ users" takes: list, show, put, remove, link, unlink, assign, unassign',
    );
    const flag = await run("users", "list", "--colour");
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--colour'. It takes: ");
    const grant = await run("roles", "put", "support", "--grants", "refunds.approve(amount << 5)");
    expect(grant.code).toBe(2);
    expect(grant.stderr).toMatch(/line 1 column \d+/);
    expect(grant.stderr).toContain("  refunds.approve(amount << 5)\n");
    expect(grant.stderr).toMatch(/\n {2}\s*\^\n/);
    const help = await run("audit", "export", "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--format <ocsf|ecs|jsonl>");
  });

  it("manages roles, users, agents and policies, with --json on reads", async () => {
    expect(
      (await run("roles", "put", "support", "--grants", "refunds.approve(amount < 100); docs.read"))
        .code,
    ).toBe(0);
    expect((await run("users", "put", "alice", "--role", "support")).code).toBe(0);
    const created = await run(
      "agents",
      "create",
      "planner",
      "--policy",
      "refunds.*; docs.read; email.send",
    );
    expect(created.code, created.stderr).toBe(0);
    expect(statSync(join(cwd, ".writ", "agents", "planner.jwk")).mode & 0o077).toBe(0);
    expect(
      (
        await run(
          "agents",
          "create",
          "worker",
          "--policy",
          "refunds.approve; docs.read",
          "--key-out",
          "worker.jwk",
        )
      ).code,
    ).toBe(0);
    expect((await run("grant", "alice", "email.send(to in @crm.contacts)")).code).toBe(0);
    const alice = await json<{ roles: string[]; permissions: unknown[] }>("users", "show", "alice");
    expect(alice.roles).toEqual(["support"]);
    expect(alice.permissions).toEqual([
      { action: "email.send", when: { to: { inSet: "crm.contacts" } } },
    ]);
    expect(
      (await run("policies", "set", "worker", "refunds.approve(amount < 50); docs.read")).code,
    ).toBe(0);
    const shared = await run("agents", "put", "gateway", "--policy", "*", "--shared");
    expect(shared.code, shared.stderr).toBe(0);
    expect(shared.stdout).toContain("(shared: serves every tenant)");
    const both = await run(
      "agents",
      "put",
      "gateway",
      "--policy",
      "*",
      "--shared",
      "--tenant",
      "acme",
    );
    expect(both.stderr).toMatch(/cannot be shared and in tenant "acme"/);
    const table = await run("agents", "list");
    expect(table.stdout).toMatch(/AGENT\s+TENANT\s+POLICY\s+KEYS/);
    expect(table.stdout).toMatch(/gateway\s+\(shared\)/);
    expect(table.stdout).toContain("refunds.approve(amount < 50); docs.read");
    const missing = await run("users", "show", "nobody");
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('No user "nobody"');
  });

  it("links and unlinks a user's identities at identity providers", async () => {
    const identity = ["--issuer", "https://login.example.test", "--subject", "248289761001"];
    expect((await run("users", "link", "alice", ...identity)).code).toBe(0);
    const alice = await json<{ identities: { issuer: string; subject: string }[] }>(
      "users",
      "show",
      "alice",
    );
    expect(alice.identities).toMatchObject([
      { issuer: "https://login.example.test", subject: "248289761001" },
    ]);
    expect((await run("users", "show", "alice")).stdout).toContain(
      "248289761001 at https://login.example.test",
    );
    const taken = await run("users", "link", "nobody", ...identity);
    expect(taken.code).toBe(3);
    const bare = await run("users", "link", "alice", "--issuer", "https://login.example.test");
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("--issuer <url> and --subject <value>");
    expect((await run("users", "unlink", "alice", ...identity)).code).toBe(0);
    expect((await run("users", "unlink", "alice", ...identity)).code).toBe(3);
  });

  it("issues, delegates and inspects writs", async () => {
    const issued = await run(
      "issue",
      "--user",
      "alice",
      "--agent",
      "planner",
      "--out",
      "root.writ",
    );
    expect(issued.code, issued.stderr).toBe(0);
    const delegate = (grants: string, ...flags: string[]) =>
      run(
        "delegate",
        "--writ",
        "root.writ",
        "--key",
        ".writ/agents/planner.jwk",
        "--to",
        "worker",
        "--grants",
        grants,
        ...flags,
      );
    const delegated = await delegate("refunds.approve(amount < 20)", "--json");
    expect(delegated.code, delegated.stderr).toBe(0);
    const child = JSON.parse(delegated.stdout) as { writ: string; hops: number };
    expect(child.hops).toBe(2);
    writeFileSync(join(cwd, "child.writ"), child.writ);
    const tree = await run("inspect", "child.writ");
    expect(tree.stdout).toContain("writ for user alice: 2 hops");
    expect(tree.stdout).toMatch(/└─ issuer acme-writ → planner/);
    expect(tree.stdout).toMatch(/└─ planner → worker/);
    expect(tree.stdout).toContain("refunds.approve(amount < 20)");
    const broader = await delegate("refunds.approve");
    expect(broader.code).toBe(6);
    expect(broader.stderr).toContain("delegation.broadens");
    // A key others can read is refused, as for every command that signs as an agent.
    chmodSync(join(cwd, ".writ/agents/planner.jwk"), 0o644);
    const exposed = await delegate("refunds.approve(amount < 20)");
    chmodSync(join(cwd, ".writ/agents/planner.jwk"), 0o600);
    expect(exposed.code).toBe(2);
    expect(exposed.stderr).toContain("[key.file_exposed]");
    expect(exposed.stderr).toContain("chmod 600");
  });

  it("applies a config file: shows the diff, applies it, and is idempotent", async () => {
    const bot = createAgentIdentity("support-bot");
    const config = {
      roles: { support: "refunds.approve(amount < 200); docs.read", auditor: "ledger.read" },
      policies: { base: "docs.read", refunds: "refunds.approve(amount < 200)" },
      agents: { "support-bot": { policies: ["base", "refunds"], keys: [bot.key.publicJwk] } },
      sets: { "crm.contacts": ["a@example.com", "b@example.com"] },
    };
    writeFileSync(join(cwd, "writ.config.json"), JSON.stringify(config));
    const piped = await run("apply", "writ.config.json");
    expect(piped.code).toBe(2);
    expect(piped.stderr).toContain("pass --yes");
    const first = await run("apply", "writ.config.json", "--yes");
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("~ role support");
    expect(first.stdout).toContain(
      "refunds.approve(amount < 100); docs.read → refunds.approve(amount < 200); docs.read",
    );
    expect(first.stdout).toContain("+ role auditor");
    expect(first.stdout).toMatch(
      /\+ agent support-bot\s+docs\.read; refunds\.approve\(amount < 200\)\s+\+ key /,
    );
    expect(first.stdout).toContain("+ set crm.contacts  2 values");
    expect(first.stderr).toContain("applied 4 changes");
    const second = await run("apply", "writ.config.json", "--yes");
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(
      "= unchanged: role support, role auditor, agent support-bot, set crm.contacts",
    );
    expect(second.stderr).toContain("already matches");
    writeFileSync(
      join(cwd, "writ.config.json"),
      JSON.stringify({ ...config, roles: { ...config.roles, auditor: "ledger.*" } }),
    );
    const dry = await run("apply", "writ.config.json", "--dry-run");
    expect(dry.stdout).toContain("~ role auditor  ledger.read → ledger.*");
    expect(
      (await json<{ permissions: unknown[] }>("roles", "show", "auditor")).permissions,
    ).toEqual([{ action: "ledger.read" }]);
    writeFileSync(join(cwd, "bad.json"), JSON.stringify({ agents: { x: { policies: ["nope"] } } }));
    const bad = await run("apply", "bad.json");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('agents.x.policies names "nope"');
    // A file with a top-level tenant may still declare an agent every tenant shares.
    writeFileSync(
      join(cwd, "shared.json"),
      JSON.stringify({ tenant: "acme", agents: { relay: { policy: "docs.read", shared: true } } }),
    );
    const shared = await run("apply", "shared.json", "--yes");
    expect(shared.stdout).toMatch(/\+ agent relay \(shared: serves every tenant\)/);
    expect(await json("agents", "show", "relay")).toMatchObject({ shared: true });
    expect((await run("apply", "shared.json", "--yes")).stdout).toContain(
      "= unchanged: agent relay",
    );
    writeFileSync(
      join(cwd, "bad.json"),
      JSON.stringify({ agents: { x: { policy: "docs.read", shared: true, tenant: "acme" } } }),
    );
    expect((await run("apply", "bad.json")).stderr).toContain(
      "agents.x cannot be shared and have a tenant",
    );
  });

  it("queries, exports and verifies the audit ledger", async () => {
    const rows = await json<{ records: { kind: string }[] }>("audit", "query", "--limit", "1000");
    expect(rows.records.length).toBeGreaterThan(5);
    const exported = await run("audit", "export", "--format", "ocsf", "--out", "audit.ocsf.ndjson");
    expect(exported.code, exported.stderr).toBe(0);
    const lines = readFileSync(join(cwd, "audit.ocsf.ndjson"), "utf8").trim().split("\n");
    // Every row, then the signed tree head that covers them, for the SIEM to keep.
    expect(lines).toHaveLength(rows.records.length + 1);
    expect(JSON.parse(lines.at(-1) as string)).toMatchObject({
      metadata: { event_code: "tree_head" },
    });
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      class_uid: 6003,
      metadata: { version: "1.8.0" },
    });
    expect(exported.stderr).toContain(`exported ${rows.records.length} rows as ocsf`);
    const verified = await run("audit", "verify");
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/✓ ledger verified: \d+ rows/);
  });

  it("colours a terminal's output (here forced), and never with NO_COLOR as every other test runs", async () => {
    const coloured = await writ(["users", "list"], {
      cwd,
      env: { FORCE_COLOR: "1", NO_COLOR: "" },
    });
    expect(coloured.stdout).toContain("\u001b[1mUSER");
    expect(coloured.stdout).toContain("\u001b[1malice");
  });

  it("serve shares the store: the CLI goes through the running server, which enforces revocations", async () => {
    const server = await startWrit(["serve", "--port", "0", "--json"], { cwd });
    try {
      const url = server.ready.url as string;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(existsSync(join(cwd, ".writ", "server.json"))).toBe(true);
      const issued = JSON.parse(
        (await run("issue", "--user", "alice", "--agent", "planner", "--json")).stdout,
      ) as { writ: string };
      const revoked = await run("revoke", "writ", issued.writ, "--reason", "done");
      expect(revoked.code, revoked.stderr).toBe(0);
      const revocations = await json<{ records: { detail: { target: string; id: string } }[] }>(
        "audit",
        "query",
        "--kind",
        "revocation",
      );
      expect(revocations.records.at(-1)?.detail).toMatchObject({
        target: "hop",
        id: Writ.parse(issued.writ).leaf.claims.jti,
      });
      expect((await run("keys", "rotate")).code).toBe(0);
      expect(
        (await json<{ keys: { status: string }[] }>("keys", "list")).keys
          .map((key) => key.status)
          .sort(),
      ).toEqual(["active", "verifying"]);
      const created = await json<{ key: string; id: string; scopes: string[] }>(
        "api-keys",
        "create",
        "--tenant",
        "acme",
        "--scope",
        "guard",
      );
      expect(created.scopes).toEqual(["guard"]);
      const listed = await json<{ id: string; hash?: string }[]>("api-keys", "list");
      expect(listed.find((entry) => entry.id === created.id)).toMatchObject({ tenant: "acme" });
      expect(JSON.stringify(listed)).not.toContain("hash");
      const live = await fetch(`${url}/v1/users`, {
        headers: { authorization: `Bearer ${created.key}` },
      });
      expect(live.status).toBe(403); // the running server picked up the new key: a guard key may not administer
      const keyRevoked = await run("api-keys", "revoke", created.id, "--reason", "test over");
      expect(keyRevoked.code, keyRevoked.stderr).toBe(0);
      const refused = await fetch(`${url}/v1/keys`, {
        headers: { authorization: `Bearer ${created.key}` },
      });
      expect(refused.status).toBe(401);
      expect(
        (await json<{ id: string; revoked?: { reason: string } }[]>("api-keys", "list")).find(
          (entry) => entry.id === created.id,
        )?.revoked,
      ).toMatchObject({ reason: "test over" });
      const pending = await json<unknown[]>("approvals", "list");
      expect(pending).toEqual([]);
    } finally {
      const stopped = await server.stop();
      expect(stopped.code).toBe(0);
    }
    expect(existsSync(join(cwd, ".writ", "server.json"))).toBe(false);
  });

  it("gateway runs the MCP gateway from the project's config, guarding an upstream server", async () => {
    const port = await freePort();
    const configFile = join(cwd, ".writ", "config.json");
    const config = JSON.parse(readFileSync(configFile, "utf8")) as Record<string, unknown>;
    const resource = `http://127.0.0.1:${port}/mcp`;
    config.gateway = {
      resource,
      upstreams: {
        // Relative to the configuration file, not to the folder writ runs in.
        probe: {
          command: process.execPath,
          args: [relative(join(cwd, ".writ"), PROBE_SERVER)],
          stderr: "ignore",
        },
        broken: {
          command: process.execPath,
          args: ["-e", 'console.error("no license file found"); process.exit(1)'],
          stderr: "ignore",
        },
      },
      restartBackoff: { initialMs: 60_000, maxMs: 60_000 },
      maxSessionsPerPrincipal: 1,
    };
    writeFileSync(configFile, JSON.stringify(config));
    const gateway = await startWrit(["gateway", "--json"], { cwd });
    let stderr = "";
    try {
      expect(gateway.ready).toMatchObject({
        resource,
        port,
        upstreams: { probe: true, broken: false },
      });
      const refused = await fetch(resource, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      });
      expect(refused.status).toBe(401);
      expect(refused.headers.get("www-authenticate")).toContain("resource_metadata");
    } finally {
      const stopped = await gateway.stop();
      expect(stopped.code).toBe(0);
      stderr = stopped.stderr;
    }
    // A failed upstream's own words reach the operator, as --json's warning lines.
    const warnings = stderr
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => (JSON.parse(line) as { warning?: string }).warning);
    expect(warnings.join("\n")).toContain('MCP upstream "broken" is down');
    expect(warnings.join("\n")).toContain("broken stderr │ no license file found");

    config.gateway = { ...(config.gateway as object), sesionIdleMs: 1000 };
    writeFileSync(configFile, JSON.stringify(config));
    const misspelt = await run("gateway");
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toContain('unknown key "sesionIdleMs"');
  });
});

describe("a project from before API keys lived in the store", { timeout: 60_000 }, () => {
  it("imports .writ/api-keys.json into the store once, says so, and the keys keep working", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "writ-cli-import-"));
    try {
      expect((await writ(["init"], { cwd })).code).toBe(0);
      const legacy = createApiKey({ tenant: "acme", scopes: ["read"], label: "dashboard" });
      const file = join(cwd, ".writ", "api-keys.json");
      writeFileSync(file, JSON.stringify({ keys: [legacy.record] }), { mode: 0o600 });
      const first = await writ(["api-keys", "list", "--json"], { cwd });
      expect(first.code, first.stderr).toBe(0);
      expect(first.stderr).toContain("Imported 1 API key from");
      expect(existsSync(file)).toBe(false);
      expect(existsSync(`${file}.imported`)).toBe(true);
      const listed = JSON.parse(first.stdout) as { id: string; tenant?: string }[];
      expect(listed.find((key) => key.id === legacy.record.id)).toMatchObject({ tenant: "acme" });
      const second = await writ(["api-keys", "list"], { cwd });
      expect(second.stderr).not.toContain("Imported");
      const server = await startWrit(["serve", "--port", "0", "--json"], { cwd });
      try {
        const answer = await fetch(`${server.ready.url}/v1/users`, {
          headers: { authorization: `Bearer ${legacy.key}` },
        });
        expect(answer.status).toBe(200);
      } finally {
        await server.stop();
      }
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

/** The MCP package's probe server: a stdio MCP server the gateway can start as an upstream. */
const PROBE_SERVER = fileURLToPath(
  new URL("../../mcp/test/fixtures/probe-server.mjs", import.meta.url),
);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe("writ serve's rate limit", { timeout: 60_000 }, () => {
  it("takes each caller's limit from the project's config, and names a malformed one", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "writ-cli-rate-"));
    try {
      expect((await writ(["init"], { cwd })).code).toBe(0);
      const created = await writ(["api-keys", "create", "--scope", "read", "--json"], { cwd });
      const { key } = JSON.parse(created.stdout) as { key: string };
      const configFile = join(cwd, ".writ", "config.json");
      const config = JSON.parse(readFileSync(configFile, "utf8")) as Record<string, unknown>;
      writeFileSync(configFile, JSON.stringify({ ...config, rateLimit: { perSecond: 0 } }));
      const malformed = await writ(["serve", "--port", "0", "--json"], { cwd });
      expect(malformed.code).toBe(2);
      expect(JSON.parse(malformed.stderr)).toMatchObject({
        error: { code: "usage", message: expect.stringContaining('"rateLimit" must be {') },
      });

      writeFileSync(
        configFile,
        JSON.stringify({ ...config, rateLimit: { perSecond: 0.001, burst: 2 } }),
      );
      const server = await startWrit(["serve", "--port", "0", "--json"], { cwd });
      try {
        const statuses: number[] = [];
        for (let request = 0; request < 3; request++) {
          const answer = await fetch(`${server.ready.url}/v1/users`, {
            headers: { authorization: `Bearer ${key}` },
          });
          statuses.push(answer.status);
        }
        expect(statuses).toEqual([200, 200, 429]);
      } finally {
        await server.stop();
      }
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
