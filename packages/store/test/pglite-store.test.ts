import { PGlite } from "@electric-sql/pglite";
import { pgliteBackend } from "@writ/store/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AuditAtomicityOptions,
  auditAtomicityCases,
  postgresAuditRefusal,
} from "./support/audit-atomicity-cases.js";
import { budgetReleaseCases } from "./support/budget-release-cases.js";
import { localRevocationCases } from "./support/local-revocation-cases.js";
import {
  LEDGER_TABLES,
  type TamperOptions,
  tamperCases,
  treeTamperCases,
} from "./support/tamper-cases.js";

let client: PGlite;
let schemas = 0;
const schema = () => `store_${++schemas}`;

beforeAll(async () => {
  client = await PGlite.create();
}, 60_000);

afterAll(async () => {
  await client.close();
});

describe("pgliteBackend", () => {
  it("refuses UPDATE, DELETE and TRUNCATE on the ledger with triggers (a superuser bypasses privileges, not triggers)", async () => {
    const s = schema();
    const store = await pgliteBackend({ client, schema: s });
    await store.append([{ entry: { kind: "admin", time: 1 } }]);
    await store.close();
    await expect(client.query(`UPDATE ${s}.writ_ledger SET kind = 'decision'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(client.query(`DELETE FROM ${s}.writ_ledger`)).rejects.toThrow(/append-only/);
    await expect(client.query(`TRUNCATE ${s}.writ_ledger`)).rejects.toThrow(/append-only/);
    await expect(
      client.query(`UPDATE ${s}.writ_ledger_payloads SET body_json = 'x'`),
    ).resolves.toMatchObject({ affectedRows: 0 });
    expect((await client.query(`SELECT count(*)::int AS n FROM ${s}.writ_ledger`)).rows).toEqual([
      { n: 1 },
    ]);
  });

  it("refuses a schema newer than the code, and rejects bad schema names", async () => {
    const s = schema();
    await (await pgliteBackend({ client, schema: s })).close();
    await client.query(
      `INSERT INTO ${s}.writ_schema_migrations (idx, tag, hash, applied_at) VALUES (99, '0099_future', 'x', 0)`,
    );
    await expect(pgliteBackend({ client, schema: s })).rejects.toMatchObject({
      code: "store.schema_too_new",
    });
    await expect(pgliteBackend({ client, schema: 'x"; DROP' })).rejects.toThrow(TypeError);
  });

  it("keeps stores in different schemas of one database apart", async () => {
    const one = await pgliteBackend({ client, schema: schema() });
    const two = await pgliteBackend({ client, schema: schema() });
    await one.putUser({ id: "alice" });
    expect(await two.getUser("alice")).toBeUndefined();
    await one.close();
    await two.close();
  });
});

const pgliteTamperTarget: TamperOptions = {
  open: async (options) => {
    const s = schema();
    const store = await pgliteBackend({ client, schema: s, ...options });
    const triggers = (state: "DISABLE" | "ENABLE") =>
      LEDGER_TABLES.map((table) => `ALTER TABLE ${table} ${state} TRIGGER USER;`).join(" ");
    return {
      store,
      another: (more) => pgliteBackend({ client, schema: s, ...more }),
      tamper: async (statements) => {
        await client.exec(`SET search_path TO ${s}; ${triggers("DISABLE")}`);
        for (const statement of statements) await client.exec(statement);
        await client.exec(`${triggers("ENABLE")} SET search_path TO public;`);
      },
      close: () => store.close(),
    };
  },
};
tamperCases("PGlite", pgliteTamperTarget);
treeTamperCases("PGlite", pgliteTamperTarget);

budgetReleaseCases("PGlite", {
  open: (options) => pgliteBackend({ client, schema: schema(), ...options }),
});

const auditTarget: AuditAtomicityOptions = {
  open: async (options) => {
    const s = schema();
    const store = await pgliteBackend({ client, schema: s, ...options });
    return {
      store,
      refuseAuditRows: async (refuse) => {
        await client.exec(postgresAuditRefusal(s, refuse));
      },
      close: () => store.close(),
    };
  },
};
auditAtomicityCases("PGlite", auditTarget);
localRevocationCases("PGlite", auditTarget);
