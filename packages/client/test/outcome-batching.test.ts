import { fetchIssuerKeys, RemoteAdmin, remoteBackend } from "@writ/client";
import { createAgentIdentity, createGuard, type Guard, Session, WritError } from "@writ/core";
import { createApiKey, createWritServer, type ListeningWritServer } from "@writ/server";
import { sqliteBackend } from "@writ/store";
import { afterEach, describe, expect, it } from "vitest";

const AUDIENCE = "urn:writ:outbox";
const CALL = { action: "docs.read", tool: "read_doc", args: { id: "d-1" } };

/** What the server was sent: each ledger append request's row kinds and `retried` count. */
interface Sent {
  readonly kinds: readonly string[];
  readonly retried: number | undefined;
}

type Intercept = (sent: Sent, forward: () => Promise<Response>) => Promise<Response>;

const closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

/**
 * A real server on an in-memory store and a guard on remoteBackend, whose
 * requests pass through `intercept` (the fetch option), which sees every
 * ledger append and may fail it.
 */
async function remoteGuard(intercept: Intercept = (_, forward) => forward()) {
  const store = await sqliteBackend({ path: ":memory:" });
  closing.push(() => store.close());
  const { key, record } = createApiKey({ label: "outbox" });
  const server = await createWritServer({ store, apiKeys: [record], audience: AUDIENCE });
  const listening: ListeningWritServer = await server.listen({ port: 0 });
  closing.push(() => listening.close());
  // Before the guard starts: its live view (over server-sent events) starts with them.
  const planner = createAgentIdentity("planner");
  await store.putUser({ id: "alice", permissions: "docs.read" });
  await store.putAgent({ id: "planner", policy: "docs.read", keys: [planner] });
  const appends: Sent[] = [];
  const lost: unknown[] = [];
  const backend = remoteBackend({
    url: listening.url,
    apiKey: key,
    fetch: async (input, init) => {
      const forward = () => fetch(input, init);
      if (!String(input).endsWith("/v1/ledger/append")) return forward();
      const body = JSON.parse(String(init?.body)) as {
        appends: { entry: { kind: string } }[];
        retried?: number;
      };
      const sent = { kinds: body.appends.map(({ entry }) => entry.kind), retried: body.retried };
      appends.push(sent);
      return intercept(sent, forward);
    },
  });
  closing.push(() => backend.close());
  const guard: Guard = await createGuard({
    backend,
    issuer: await fetchIssuerKeys({ url: listening.url }),
    audience: AUDIENCE,
    onLedgerError: (error) => lost.push(error),
  });
  closing.push(() => guard.close());
  const session = new Session(planner, await store.issue({ user: "alice", agent: "planner" }));
  const admin = new RemoteAdmin({ url: listening.url, apiKey: key });
  const run = () => guard.run(guard.callFrom(session, CALL), () => "ok");
  const rows = async (kind: "decision" | "outcome") =>
    (await admin.queryLedger({ kind, limit: 1000 })).records;
  return { backend, guard, run, rows, appends, lost, admin };
}

describe("a remote guard's outcome rows", () => {
  it("ride with the next decision: one request per guarded call", async () => {
    const { backend, run, rows, appends } = await remoteGuard();
    for (let call = 0; call < 5; call++) {
      expect((await run()).decision.effect).toBe("allow");
    }
    expect(appends.map(({ kinds }) => kinds)).toEqual([
      ["decision"],
      ["outcome", "decision"],
      ["outcome", "decision"],
      ["outcome", "decision"],
      ["outcome", "decision"],
    ]);
    await backend.flush();
    expect(appends.at(-1)?.kinds).toEqual(["outcome"]);
    expect(await rows("outcome")).toHaveLength(5);
  });

  it("are sent on their own when no decision follows, and are all in the ledger once the guard closes", async () => {
    const { guard, run, rows, appends } = await remoteGuard();
    await run();
    await run();
    await guard.close();
    expect(appends.map(({ kinds }) => kinds)).toEqual([
      ["decision"],
      ["outcome", "decision"],
      ["outcome"],
    ]);
    expect((await rows("outcome")).map(({ outcome }) => outcome)).toEqual(["ok", "ok"]);
  });

  it("are sent again when a request gets no answer, and recorded once though the server had them", async () => {
    let answered = 0;
    const { guard, run, rows, appends, lost } = await remoteGuard(async (sent, forward) => {
      const response = await forward();
      // The server records the first lone outcome batch, but its answer never arrives.
      if (sent.kinds.join() === "outcome" && answered++ === 0)
        throw new TypeError("socket hang up");
      return response;
    });
    await run();
    await run();
    await guard.close();
    expect(appends.map(({ kinds, retried }) => [kinds.join(), retried])).toEqual([
      ["decision", undefined],
      ["outcome,decision", undefined],
      ["outcome", undefined],
      ["outcome", 1],
    ]);
    expect(await rows("outcome")).toHaveLength(2);
    expect(await rows("decision")).toHaveLength(2);
    expect(lost).toEqual([]);
  });

  it("are reported lost after five requests without an answer, so an unreachable server does not hold the guard's close", async () => {
    const { guard, run, rows, appends, lost } = await remoteGuard(async (sent, forward) => {
      if (sent.kinds.join() === "outcome") throw new TypeError("connect ECONNREFUSED");
      return forward();
    });
    await run();
    await guard.close();
    expect(appends.map(({ kinds, retried }) => [kinds.join(), retried])).toEqual([
      ["decision", undefined],
      ["outcome", undefined],
      ["outcome", 1],
      ["outcome", 1],
      ["outcome", 1],
      ["outcome", 1],
    ]);
    expect(await rows("outcome")).toHaveLength(0);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatchObject({ code: "store.unavailable" });
  });

  it("never cost a decision: a refused outcome is reported lost and the call after it is allowed", async () => {
    const { guard, run, rows, lost } = await remoteGuard(async (sent, forward) =>
      sent.kinds.includes("outcome")
        ? Response.json(
            { code: "server.internal", detail: "refused for the test" },
            { status: 500, headers: { "content-type": "application/problem+json" } },
          )
        : forward(),
    );
    await run();
    const second = await run();
    expect(second.decision.effect).toBe("allow");
    await guard.close();
    expect(await rows("decision")).toHaveLength(2);
    expect(lost).toHaveLength(2);
    expect(
      lost.every((error) => error instanceof WritError && error.code === "server.internal"),
    ).toBe(true);
  });

  it("carry their payloads with them; a body with no JSON form is kept as its hash only, and the row is recorded", async () => {
    const { backend, appends, admin } = await remoteGuard();
    const kept = { hash: "a".repeat(64), body: { refund: 12, note: 'ü \u2028 "quoted"' } };
    const unserializable = { hash: "b".repeat(64), body: 10n };
    const outcome = backend.append(
      [
        {
          entry: { kind: "outcome", time: 1, callId: "c-1", outcome: "ok" },
          payloads: [unserializable, kept],
        },
      ],
      { durable: false },
    );
    const [decision] = await backend.append([
      { entry: { kind: "decision", time: 2, callId: "c-2", decision: "allow" }, payloads: [kept] },
    ]);
    expect(appends.map(({ kinds }) => kinds)).toEqual([["outcome", "decision"]]);
    expect((await outcome)[0]?.callId).toBe("c-1");
    expect(decision?.callId).toBe("c-2");
    expect((await admin.getPayload(kept.hash))?.body).toEqual(kept.body);
    expect(await admin.getPayload(unserializable.hash)).toBeUndefined();
  });
});
