import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT_CODES } from "../src/exit-codes.js";
import { createTestDatabase, postgresUrl } from "./support/postgres-database.js";
import { writ } from "./support/run-writ.js";

const serverUrl = postgresUrl();

describe.runIf(serverUrl)("a project whose store is PostgreSQL (writ init --database-url)", () => {
  let database: { url: string; drop(): Promise<void> };
  const folders: string[] = [];
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), "writ-pg-project-"));
    folders.push(dir);
    return dir;
  };

  beforeAll(async () => {
    database = await createTestDatabase(serverUrl as string, "cli_pg_project");
  });

  afterAll(async () => {
    await database?.drop();
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the store in Postgres, not in a file, and never the URL in the project", async () => {
    const cwd = folder();
    const env = { WRIT_DATABASE_URL: database.url };
    const created = await writ(["init", "--schema", "team_a"], { cwd, env });
    expect(created.code).toBe(EXIT_CODES.ok);
    expect(created.stdout).toContain("the Postgres store (schema team_a)");
    const config = readFileSync(join(cwd, ".writ", "config.json"), "utf8");
    expect(JSON.parse(config)).toMatchObject({
      issuer: "writ",
      store: { kind: "postgres", schema: "team_a" },
    });
    expect(config).not.toContain("writ:writ@");
    expect(existsSync(join(cwd, ".writ", "writ.db"))).toBe(false);

    expect(
      (await writ(["users", "put", "alice", "--grants", "docs.read"], { cwd, env })).code,
    ).toBe(EXIT_CODES.ok);
    const listed = await writ(["users", "list", "--json"], { cwd, env });
    expect(JSON.parse(listed.stdout)).toMatchObject([{ id: "alice" }]);
  });

  it("asks for the URL when it is not given, and refuses another schema", async () => {
    const cwd = folder();
    const env = { WRIT_DATABASE_URL: database.url };
    expect((await writ(["init", "--schema", "team_b"], { cwd, env })).code).toBe(EXIT_CODES.ok);
    const withoutUrl = await writ(["users", "list"], { cwd });
    expect(withoutUrl.code).toBe(EXIT_CODES.usage);
    expect(withoutUrl.stderr).toContain("pass --database-url or set WRIT_DATABASE_URL");
    const otherSchema = await writ(["serve", "--schema", "team_c", "--port", "0"], { cwd, env });
    expect(otherSchema.code).toBe(EXIT_CODES.usage);
    expect(otherSchema.stderr).toContain('schema "team_b", not "team_c"');
  });

  it("never uses a second store beside a SQLite project's own", async () => {
    const cwd = folder();
    expect((await writ(["init"], { cwd })).code).toBe(EXIT_CODES.ok);
    const env = { WRIT_DATABASE_URL: database.url };
    for (const args of [
      ["users", "list"],
      ["serve", "--port", "0"],
    ]) {
      const refused = await writ(args, { cwd, env });
      expect(refused.code).toBe(EXIT_CODES.usage);
      expect(refused.stderr).toContain("a project has one store");
    }
  });

  it("leaves no project behind when the database cannot be reached", async () => {
    const cwd = folder();
    const unreachable = new URL(database.url);
    unreachable.port = "1";
    const result = await writ(["init", "--database-url", unreachable.toString()], { cwd });
    expect(result.code).toBe(EXIT_CODES.unavailable);
    expect(result.stderr).not.toContain(`:${unreachable.password}@`);
    expect(existsSync(join(cwd, ".writ", "config.json"))).toBe(false);
  });

  it("refuses --schema without a database, and a schema that is not an identifier", async () => {
    const cwd = folder();
    expect((await writ(["init", "--schema", "team_a"], { cwd })).stderr).toContain(
      "--schema is for a Postgres store",
    );
    const bad = await writ(["init", "--schema", "Team-A"], {
      cwd,
      env: { WRIT_DATABASE_URL: database.url },
    });
    expect(bad.code).toBe(EXIT_CODES.usage);
    expect(existsSync(join(cwd, ".writ"))).toBe(false);
  });
});
