/**
 * Soak: agents on one shared store make mixed calls through several guards
 * while revocations arrive at random. No call that starts after its revocation
 * was enforced is ever allowed; the ledger holds exactly one decision per call
 * and one outcome per allowed call; every chain verifies; memory stays flat.
 * CI runs a bounded soak; WRIT_SOAK_CALLS=100000 runs a long one.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import {
  type AgentIdentity,
  createAgentIdentity,
  createGuard,
  type Guard,
  type RevocationKind,
  Session,
} from "@writ/core";
import { type StoreBackend, sqliteBackend } from "@writ/store";
import { afterAll, describe, expect, it } from "vitest";
import { allLedgerRows } from "../support/ledger-rows.js";

const CALLS = Number(process.env.WRIT_SOAK_CALLS ?? 3000);
const CONCURRENCY = 8;
const AGENTS = 12;

interface Principal {
  readonly session: Session;
  /** Everything whose revocation must stop this session's calls. */
  readonly targets: readonly { kind: RevocationKind; id: string }[];
}

interface CallRecord {
  readonly started: number;
  readonly principal: Principal;
  readonly allowed: boolean;
}

/** Live heap after a full collection, so growth means retention, not garbage waiting for GC. */
function liveHeapBytes(): number {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
  return process.memoryUsage().heapUsed;
}

const directory = mkdtempSync(join(tmpdir(), "writ-soak-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function population(store: StoreBackend): Promise<Principal[]> {
  await store.putUser({ id: "alice", permissions: "refunds.*(amount < 1000); email.send" });
  const principals: Principal[] = [];
  for (let index = 0; index < AGENTS; index++) {
    const agent: AgentIdentity = createAgentIdentity(`agent-${index}`);
    const worker: AgentIdentity = createAgentIdentity(`worker-${index}`);
    await store.putAgent({ id: agent.id, policy: "refunds.*", keys: [agent] });
    await store.putAgent({ id: worker.id, policy: "refunds.approve", keys: [worker] });
    const root = new Session(agent, await store.issue({ user: "alice", agent: agent.id }));
    const delegated = root.delegate(worker, { grants: "refunds.approve(amount < 500)" });
    const rootTargets = [
      { kind: "agent" as const, id: agent.id },
      { kind: "hop" as const, id: root.writ.root.claims.jti },
      { kind: "key" as const, id: agent.thumbprint },
    ];
    principals.push({ session: root, targets: rootTargets });
    principals.push({
      session: delegated,
      targets: [
        ...rootTargets,
        { kind: "agent", id: worker.id },
        { kind: "hop", id: delegated.writ.leaf.claims.jti },
        { kind: "key", id: worker.thumbprint },
      ],
    });
  }
  return principals;
}

describe("soak", () => {
  it(`${CALLS.toLocaleString("en-US")} mixed calls from ${AGENTS * 2} sessions through 3 guards while revocations arrive`, async () => {
    const store = await sqliteBackend({ path: join(directory, "soak.db"), synchronous: "normal" });
    const principals = await population(store);
    const issuer = await store.issuerKeys();
    const guards: Guard[] = await Promise.all(
      [1, 2, 3].map((index) =>
        createGuard({ backend: store, issuer, audience: `urn:writ:soak:${index}` }),
      ),
    );

    const calls: CallRecord[] = [];
    const enforced = new Map<string, number>();
    let issued = 0;
    let ran = 0;
    const heap: number[] = [];
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;

    const revoker = async () => {
      // About fifteen revocations spread over the run, each of a random kind and target.
      let next = 0;
      while (issued < CALLS) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (issued < next) continue;
        next = issued + (CALLS / 15) * (0.5 + random());
        const target = pick(pick(principals).targets);
        const key = `${target.kind}:${target.id}`;
        if (enforced.has(key)) continue;
        await store.revoke(target);
        // SQLite feeds guards synchronously: enforced in every guard once revoke() resolves.
        enforced.set(key, performance.now());
      }
    };

    const worker = async () => {
      while (issued < CALLS) {
        // Calls arrive from I/O in a real agent; yielding lets timers (the revoker) run too.
        await new Promise((resolve) => setImmediate(resolve));
        issued++;
        if (issued % Math.ceil(CALLS / 10) === 0) heap.push(liveHeapBytes());
        const principal = pick(principals);
        const guard = pick(guards);
        const amount = Math.floor(random() * 1200);
        const started = performance.now();
        const { decision } = await guard.run(
          guard.callFrom(principal.session, {
            action: "refunds.approve",
            tool: "approve_refund",
            args: { amount },
          }),
          () => {
            ran++;
            return { refunded: amount };
          },
        );
        calls.push({ started, principal, allowed: decision.effect === "allow" });
        if (decision.effect === "deny") {
          expect(decision.code, "denials are policy or revocation, never faults").toMatch(
            /^(grant|revoked)\./,
          );
        }
      }
    };

    const begun = performance.now();
    await Promise.all([revoker(), ...Array.from({ length: CONCURRENCY }, worker)]);
    const seconds = (performance.now() - begun) / 1000;

    // No call that started after a revocation of its chain was enforced was allowed.
    for (const call of calls.filter((record) => record.allowed)) {
      for (const target of call.principal.targets) {
        const at = enforced.get(`${target.kind}:${target.id}`);
        if (at !== undefined)
          expect(
            call.started,
            `allowed after ${target.kind} ${target.id} was revoked`,
          ).toBeLessThan(at);
      }
    }
    const rows = await allLedgerRows(store);
    const decisions = rows.filter((row) => row.kind === "decision");
    const outcomes = rows.filter((row) => row.kind === "outcome");
    expect(decisions).toHaveLength(calls.length);
    expect(outcomes).toHaveLength(calls.filter((call) => call.allowed).length);
    expect(outcomes).toHaveLength(ran);
    expect(rows.filter((row) => row.kind === "revocation")).toHaveLength(enforced.size);
    const verification = await store.verifyLedger();
    expect(verification.ok).toBe(true);

    const growthMb = ((heap.at(-1) ?? 0) - (heap[0] ?? 0)) / 2 ** 20;
    console.log(
      `soak: ${calls.length} calls (${calls.filter((call) => call.allowed).length} allowed) in ${seconds.toFixed(1)} s ` +
        `(${Math.round(calls.length / seconds)} calls/s), ${enforced.size} revocations, ${rows.length} ledger rows; ` +
        `heap ${heap.map((bytes) => Math.round(bytes / 2 ** 20)).join(" → ")} MB`,
    );
    expect(enforced.size).toBeGreaterThan(3);
    expect(calls.some((call) => call.allowed)).toBe(true);
    expect(growthMb, "live heap growth during the soak").toBeLessThan(32);
    await Promise.all(guards.map((guard) => guard.close()));
    await store.close();
  }, 300_000);
});
