import { type StoreBackend, sqliteBackend } from "@writ/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, createWritServer, type WritServer } from "../src/index.js";
import { ledgerAppendBody } from "../src/schemas/ledger-append-body.js";
import { LedgerAppendSchema } from "../src/schemas/ledger-schemas.js";

/**
 * `POST /v1/ledger/append` parses its body synchronously (every remote
 * decision is one), and must accept, output and refuse exactly what its
 * documented schema does under the OpenAPI validator: the same rows, the same
 * code, the same words.
 */
const HASH = "ab".repeat(32);
const decision = {
  kind: "decision",
  time: 1_767_268_800_000,
  tenant: "acme",
  callId: "0194f1c2-7a3b-7cde-8f01-23456789abcd",
  user: "alice",
  agent: "planner",
  chain: { agents: ["planner", "mailer"], hops: ["h1", "h2"] },
  action: "docs.read",
  tool: "read_doc",
  adapter: "mcp",
  decision: "allow",
  reason: "granted",
  inputHash: HASH,
  detail: { attempt: 1, retry: false, note: null, why: "because" },
};
const outcome = {
  kind: "outcome",
  time: 1_767_268_800_005,
  callId: decision.callId,
  outcome: "error",
  error: "upstream.failed",
  durationMs: 4.5,
  outputHash: "cd".repeat(32),
};
const valid = {
  appends: [
    { entry: decision, payloads: [{ hash: HASH, body: { id: "d-1" } }] },
    { entry: outcome },
  ],
  retried: 1,
};

/** The body with `value` at `path` (undefined: the member removed). */
function withMember(path: readonly (string | number)[], value: unknown): unknown {
  const copy = structuredClone(valid) as unknown as Record<string | number, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (value === undefined) delete at[last];
  else at[last] = value;
  return copy;
}

const long = (length: number) => "x".repeat(length);
const BAD_VALUES: readonly unknown[] = [null, -1, 1.5, "", long(2049), [], {}, true, "DENY"];
/** Every member the schema checks, and values around its rules. */
const MUTATIONS: readonly [readonly (string | number)[], readonly unknown[]][] = [
  [["appends"], [[], Array(1001).fill({ entry: outcome }), "x", null]],
  [["retried"], [0, 1001, 2.5, "1", null, undefined]],
  [
    ["appends", 0],
    [null, [], "x"],
  ],
  [
    ["appends", 0, "entry"],
    [undefined, null, []],
  ],
  ...(
    [
      "kind",
      "time",
      "tenant",
      "callId",
      "user",
      "agent",
      "action",
      "tool",
      "adapter",
      "decision",
      "reason",
      "inputHash",
      "detail",
      "chain",
    ] as const
  ).map(
    (name) =>
      [
        ["appends", 0, "entry", name],
        [...BAD_VALUES, undefined, long(257), long(65), long(129)],
      ] as [(string | number)[], unknown[]],
  ),
  [
    ["appends", 0, "entry", "time"],
    [Number.MAX_SAFE_INTEGER + 2, 0],
  ],
  [
    ["appends", 0, "entry", "user"],
    ["-alice", long(128), long(129), "a b"],
  ],
  [
    ["appends", 0, "entry", "inputHash"],
    [HASH.toUpperCase(), `${HASH}0`],
  ],
  [
    ["appends", 0, "entry", "chain", "agents"],
    [Array(9).fill("a"), ["-x"], "a", null],
  ],
  [
    ["appends", 0, "entry", "chain", "hops"],
    [Array(9).fill("h"), [long(129)], [1], null],
  ],
  [
    ["appends", 0, "entry", "detail"],
    [
      Object.fromEntries(Array.from({ length: 33 }, (_, index) => [`k${index}`, index])),
      { [long(65)]: 1 },
      { nested: {} },
      { list: [1] },
      { text: long(2049) },
      JSON.parse('{"__proto__": 1}'),
    ],
  ],
  [
    ["appends", 0, "payloads"],
    [null, [], Array(5).fill({ hash: HASH, body: 1 }), "x"],
  ],
  [
    ["appends", 0, "payloads", 0],
    [null, { hash: HASH }, { hash: "x", body: 1 }, { body: 1 }],
  ],
  [
    ["appends", 1, "entry", "outcome"],
    [...BAD_VALUES, undefined],
  ],
  [
    ["appends", 1, "entry", "durationMs"],
    [...BAD_VALUES, undefined, 0],
  ],
  [
    ["appends", 1, "entry", "outputHash"],
    [...BAD_VALUES, undefined],
  ],
  [
    ["appends", 1, "entry", "error"],
    [...BAD_VALUES, undefined, long(2048)],
  ],
  [["appends", 0, "extra"], ["dropped"]],
  [["appends", 0, "entry", "extra"], ["dropped"]],
];
const BODIES: readonly unknown[] = [
  valid,
  { appends: [{ entry: outcome }] },
  null,
  [],
  "x",
  {},
  ...MUTATIONS.flatMap(([path, values]) => values.map((value) => withMember(path, value))),
];

describe("the ledger append body", () => {
  it("is accepted and output as the documented schema parses it", async () => {
    let accepted = 0;
    for (const body of BODIES) {
      const expected = await LedgerAppendSchema.safeParseAsync(body);
      if (!expected.success) continue;
      accepted++;
      expect(ledgerAppendBody(body)).toStrictEqual(expected.data);
    }
    expect(accepted).toBeGreaterThan(20);
  });

  describe("over HTTP", () => {
    let store: StoreBackend;
    let server: WritServer;
    const guard = createApiKey({ label: "guard", scopes: ["guard"] });

    beforeAll(async () => {
      store = await sqliteBackend({ path: ":memory:" });
      server = await createWritServer({
        store,
        apiKeys: [guard.record],
        audience: "urn:writ:append-body",
      });
    });
    afterAll(async () => {
      await server?.close();
      await store?.close();
    });

    const append = (body: unknown) =>
      server.app.request("/v1/ledger/append", {
        method: "POST",
        headers: { authorization: `Bearer ${guard.key}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });

    it("refuses every body the schema refuses, with the OpenAPI validator's code and words", async () => {
      let refused = 0;
      for (const body of BODIES) {
        const expected = await LedgerAppendSchema.safeParseAsync(body);
        if (expected.success) continue;
        refused++;
        const issues = expected.error.issues
          .slice(0, 5)
          .map((issue) => `${issue.path.join(".") || "json"}: ${issue.message.replace(/\.$/, "")}`);
        const response = await append(body);
        expect(response.status).toBe(400);
        expect(await response.json()).toMatchObject({
          code: "request.invalid",
          detail: `Invalid request json: ${issues.join("; ")}.`,
        });
      }
      expect(refused).toBeGreaterThan(100);
    });

    it("says which member is wrong and how", async () => {
      const response = await append(withMember(["appends", 0, "entry", "time"], -1));
      expect(await response.json()).toMatchObject({
        code: "request.invalid",
        detail: "Invalid request json: appends.0.entry.time: Too small: expected number to be >=0.",
      });
    });

    it("records what it accepts, without the members the schema does not name", async () => {
      const response = await append(withMember(["appends", 0, "entry", "extra"], "dropped"));
      expect(response.status).toBe(200);
      const { records } = (await response.json()) as { records: Record<string, unknown>[] };
      expect(records).toHaveLength(2);
      expect(records[0]).toMatchObject({
        kind: "decision",
        user: "alice",
        detail: decision.detail,
      });
      expect(records[0]).not.toHaveProperty("extra");
    });
  });
});
