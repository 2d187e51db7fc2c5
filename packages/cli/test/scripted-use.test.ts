import { createHash } from "node:crypto";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writ } from "./support/run-writ.js";

const fingerprint = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

interface JsonFailure {
  readonly error: { readonly code?: string; readonly message: string; readonly exitCode: number };
}

/**
 * The real `writ` binary as a script drives it: every command takes --json,
 * bad input gets the documented exit code and a message that names what was
 * wrong, the store file is never replaced, a read-only copy can be read and
 * verified, and deletions show against a tree head kept outside the store.
 */
describe("the writ command in scripts", () => {
  let cwd: string;
  const run = (...args: string[]) => writ(args, { cwd });

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), "writ-scripted-"));
    expect((await run("init")).code).toBe(0);
    expect((await run("users", "put", "alice", "--grants", "docs.read")).code).toBe(0);
    expect((await run("agents", "create", "bot", "--policy", "docs.read")).code).toBe(0);
  });

  afterAll(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  it("answers a change with JSON under --json, and an error as JSON on stderr", async () => {
    const saved = await run("users", "put", "bob", "--grants", "docs.read", "--json");
    expect(saved.code, saved.stderr).toBe(0);
    expect(JSON.parse(saved.stdout)).toMatchObject({ id: "bob" });
    const removed = await run("users", "remove", "bob", "--json");
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toEqual({ ok: true, done: ["user bob removed"] });
    const missing = await run("users", "show", "carol", "--json");
    expect(missing.code).toBe(3);
    expect(missing.stdout).toBe("");
    const failure = JSON.parse(missing.stderr) as JsonFailure;
    expect(failure.error).toMatchObject({ code: "store.not_found", exitCode: 3 });
    expect(failure.error.message).toContain("No user");
    const unknownFlag = await run("users", "list", "--colour", "--json");
    expect(unknownFlag.code).toBe(2);
    expect(JSON.parse(unknownFlag.stderr)).toMatchObject({ error: { code: "usage", exitCode: 2 } });
    expect(unknownFlag.stderr).not.toMatch(/\n\s+at /);
  });

  it("refuses to revoke an unknown id with the not-found code, and says when a revocation was already made", async () => {
    const typo = await run("revoke", "agent", "bott");
    expect(typo.code).toBe(3);
    expect(typo.stderr).toContain("nothing was revoked");
    expect(typo.stderr).toContain("store.not_found");
    expect((await run("audit", "query", "--kind", "revocation", "--json")).stdout).not.toContain(
      "bott",
    );
    const first = await run("revoke", "agent", "bot", "--reason", "leaked", "--json");
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      already: false,
      revocation: { kind: "agent", id: "bot" },
    });
    const again = await run("revoke", "agent", "bot");
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(
      /agent bot was already revoked, \S+ by cli:\S+ \(change \d+: leaked\); nothing changed/,
    );
    const againJson = JSON.parse((await run("revoke", "agent", "bot", "--json")).stdout);
    expect(againJson).toMatchObject({ already: true, by: expect.stringMatching(/^cli:/) });
  });

  it("lists the valid values of an enum flag and names a missing folder, with the usage code", async () => {
    const decision = await run("audit", "query", "--decision", "maybe");
    expect(decision.code).toBe(2);
    expect(decision.stderr).toContain("--decision must be one of allow, deny, approval_required");
    const kind = await run("audit", "tail", "--kind", "everything");
    expect(kind.code).toBe(2);
    expect(kind.stderr).toContain("--kind must be one of decision, outcome");
    const out = await run("audit", "export", "--format", "jsonl", "--out", "nowhere/x.jsonl");
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(join(cwd, "nowhere"));
    expect(out.stderr).toContain("does not exist");
    const against = await run("audit", "verify", "--against", "missing-sth.json");
    expect(against.code).toBe(2);
    expect(against.stderr).toContain(join(cwd, "missing-sth.json"));
  });

  it("names the file, key or limit that is wrong in a config, a TTL or a writ argument", async () => {
    const missingWrit = await run("inspect", "alice.writ");
    expect(missingWrit.code).toBe(2);
    expect(missingWrit.stderr).toContain(join(cwd, "alice.writ"));
    expect(missingWrit.stderr).toContain("does not exist");
    const long = await run("issue", "--user", "alice", "--agent", "bot", "--ttl", "604800");
    expect(long.code).toBe(2);
    expect(long.stderr).toContain("--ttl must be at most 86400 seconds");
    const project = join(cwd, "misconfigured");
    cpSync(join(cwd, ".writ"), project, { recursive: true });
    const config = JSON.parse(readFileSync(join(project, "config.json"), "utf8"));
    writeFileSync(join(project, "config.json"), JSON.stringify({ ...config, isuer: "typo" }));
    const unknown = await run("users", "list", "--dir", project);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`${join(project, "config.json")}: unknown key "isuer"`);
    writeFileSync(join(project, "config.json"), JSON.stringify({ ...config, maxTtl: "1h" }));
    const wrongType = await run("users", "list", "--dir", project);
    expect(wrongType.code).toBe(2);
    expect(wrongType.stderr).toContain('"maxTtl" must be a whole number of seconds');
    // The sections writ serve and writ gateway read are known, whatever options they hold.
    const served = {
      ...config,
      console: { sessionTtl: 3600, oidc: [] },
      gateway: { resource: "http://127.0.0.1:8080/mcp", upstreams: {}, sessionIdleMs: 60_000 },
    };
    writeFileSync(join(project, "config.json"), JSON.stringify(served));
    expect((await run("users", "list", "--dir", project)).code).toBe(0);
    for (const result of [missingWrit, long, unknown, wrongType])
      expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("reads, verifies and exports a read-only copy of the store; a change to it fails with exit 1", async () => {
    const copy = join(cwd, "backup");
    cpSync(join(cwd, ".writ"), copy, { recursive: true });
    chmodSync(join(copy, "writ.db"), 0o444);
    chmodSync(copy, 0o555);
    const before = fingerprint(join(copy, "writ.db"));
    try {
      const users = await run("users", "list", "--dir", copy, "--json");
      expect(users.code, users.stderr).toBe(0);
      expect((JSON.parse(users.stdout) as { id: string }[]).map((user) => user.id)).toContain(
        "alice",
      );
      const verified = await run("audit", "verify", "--dir", copy);
      expect(verified.code, verified.stderr).toBe(0);
      expect(verified.stdout).toContain("✓ ledger verified");
      expect((await run("audit", "tail", "--dir", copy)).code).toBe(0);
      const exported = await run("audit", "export", "--format", "jsonl", "--dir", copy);
      expect(exported.code, exported.stderr).toBe(0);
      const change = await run("users", "put", "mallory", "--grants", "docs.read", "--dir", copy);
      expect(change.code).toBe(1);
      expect(change.stderr).toContain("store.read_only");
    } finally {
      chmodSync(copy, 0o755);
    }
    expect(fingerprint(join(copy, "writ.db"))).toBe(before);
  });

  it("refuses an empty or missing store file in a set-up project, pointing to backups, and creates none", async () => {
    const project = join(cwd, "damaged");
    cpSync(join(cwd, ".writ"), project, { recursive: true });
    writeFileSync(join(project, "writ.db"), "");
    const empty = await run("users", "list", "--dir", project);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain("store.corrupt");
    expect(empty.stderr).toContain("backup");
    expect(statSync(join(project, "writ.db")).size).toBe(0);
    rmSync(join(project, "writ.db"));
    const missing = await run("users", "put", "eve", "--grants", "docs.read", "--dir", project);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("store.missing");
    expect(existsSync(join(project, "writ.db"))).toBe(false);
  });

  it("verify says what it cannot rule out, and against an exported tree head catches a wiped ledger", async () => {
    const exported = await run("audit", "export", "--format", "ocsf", "--out", "siem.ndjson");
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toContain("ending with the signed tree head");
    const plain = await run("audit", "verify");
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/newest tree head: \d+ rows, signed/);
    expect(plain.stdout).toContain("not ruled out: No tree head kept outside the store");
    const clean = await run("audit", "verify", "--against", "siem.ndjson", "--json");
    expect(clean.code, clean.stderr).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({ ok: true, tree: { against: [{}] } });

    // Whoever can write the file deletes every ledger row, checkpoint, chain and tree head.
    const db = new Database(join(cwd, ".writ", "writ.db"));
    for (const { name } of db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
      .all() as { name: string }[])
      db.exec(`DROP TRIGGER ${name}`);
    for (const { name } of db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'writ_ledger%'")
      .all() as { name: string }[])
      db.exec(`DELETE FROM ${name}`);
    db.exec("INSERT INTO writ_ledger_tree_state (id, tree_size, peaks_json) VALUES (1, 0, '[]')");
    db.close();

    const wiped = await run("audit", "verify", "--against", "siem.ndjson");
    expect(wiped.code).toBe(4);
    expect(wiped.stdout).toContain("✗ ledger broken");
  });
});
