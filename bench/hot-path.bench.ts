/**
 * The in-memory hot path of issue 22, each figure beside its floor measured in
 * the same interleaved rounds (each round alternates which goes first, so the
 * machine's drift touches floor and subject alike):
 *
 * - guard.authorize and guard.run on the memory backend, a 3-hop writ of ten
 *   conditional grants per hop on the called action, fresh arguments and a
 *   fresh proof per call (signed before the timer starts), beside one
 *   node:crypto Ed25519 verify;
 * - refusing a forged proof over 1 MB of arguments, beside the same verify;
 * - argumentsHash at 100 B, 10 KB and 1 MB, beside JSON.stringify + SHA-256;
 * - grant evaluation, 10 grants × 3 hops on one action, and how it grows with
 *   the grants per hop when they name distinct actions.
 *
 *   pnpm bench hot-path
 */
import { generateKeyPairSync, hash, sign, verify } from "node:crypto";
import { pathToFileURL } from "node:url";
import { parseGrantText } from "@writ/core";
import { argumentsHash, ReplayCache, replayCacheCapacity } from "@writ/core/backend";
// Not exported: the built module, as the rest of Writ here (what users run).
import { CompiledGrants } from "../packages/core/dist/grants/compiled-grants.js";
import { hotPathWorld, tenConditionalGrants } from "./hot-path-shapes.js";
import { interleaved } from "./interleaved.js";
import { printTable } from "./print-table.js";
import type { BenchResult } from "./result.js";

const GROUP = "hot-path";

const sorted = (samples: number[]) => [...samples].sort((a, b) => a - b);
const median = (samples: number[]) => sorted(samples)[Math.floor(samples.length / 2)] ?? Number.NaN;
const p99 = (samples: number[]) => sorted(samples)[Math.floor(samples.length * 0.99)] ?? Number.NaN;
const round = (value: number) => Number(value.toPrecision(4));

function row(
  name: string,
  samples: number[],
  extra: Partial<Omit<BenchResult, "group" | "name" | "unit" | "median" | "p99">> = {},
): BenchResult {
  return {
    group: GROUP,
    name,
    unit: "µs",
    median: round(median(samples)),
    p99: round(p99(samples)),
    ...extra,
  };
}

const VERIFY_FLOOR = "hot path floor: one node:crypto Ed25519 verify";

async function guardRows(): Promise<BenchResult[]> {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const message = Buffer.alloc(300, 7);
  const signature = sign(null, message, privateKey);
  const { guard, freshCall } = await hotPathWorld();
  let authorizeCalls: ReturnType<typeof freshCall>[] = [];
  let runCalls: ReturnType<typeof freshCall>[] = [];
  let forgedCalls: ReturnType<typeof freshCall>[] = [];
  const megabyte = (serial: number) => ({
    amount: 1,
    currency: "USD",
    note: `ok ${serial}`,
    rows: Array.from({ length: 1000 }, (_, at) => ({ at, text: "x".repeat(1000) })),
  });
  const samples = await interleaved(
    {
      floor: { operation: () => verify(null, message, publicKey, signature) },
      authorize: {
        prepare: (count) => {
          authorizeCalls = Array.from({ length: count }, freshCall);
        },
        operation: async (index) => {
          const decision = await guard.authorize(authorizeCalls[index] as never);
          if (decision.effect !== "allow") throw new Error(`unexpected ${decision.code}`);
        },
      },
      run: {
        prepare: (count) => {
          runCalls = Array.from({ length: count }, freshCall);
        },
        operation: async (index) => {
          const { decision } = await guard.run(runCalls[index] as never, () => "ok");
          if (decision.effect !== "allow") throw new Error(`unexpected ${decision.code}`);
        },
      },
      forged: {
        perRound: 10,
        prepare: (count) => {
          forgedCalls = Array.from({ length: count }, (_, serial) => {
            const call = freshCall();
            // A thief with the writ but not the key: any signature but the right one.
            return { ...call, proof: `${call.proof.slice(0, -8)}AAAAAAAA`, args: megabyte(serial) };
          });
        },
        operation: async (index) => {
          const decision = await guard.authorize(forgedCalls[index] as never);
          if (decision.code !== "proof.bad_signature")
            throw new Error(`unexpected ${decision.code}`);
        },
      },
    },
    100,
  );
  await guard.close();
  const floor = samples.floor as number[];
  const ratio = (subject: number[]) => median(subject) / median(floor);
  return [
    row(VERIFY_FLOOR, floor),
    row(
      "guard.authorize, in memory, 3-hop writ, 10 grants/hop, fresh call",
      samples.authorize as number[],
      {
        baseline: VERIFY_FLOOR,
        target: "≤ 1.3× one Ed25519 verify",
        met: ratio(samples.authorize as number[]) <= 1.3,
        note: "proof signed before timing; decision row in the memory ledger",
      },
    ),
    row("guard.run, in memory, 3-hop writ, 10 grants/hop, fresh call", samples.run as number[], {
      baseline: VERIFY_FLOOR,
      note: "decision + tool + outcome row",
    }),
    row("refuse a forged proof over 1 MB of arguments", samples.forged as number[], {
      baseline: VERIFY_FLOOR,
      target: "≤ 2× one Ed25519 verify (the arguments are not read)",
      met: ratio(samples.forged as number[]) <= 2,
    }),
  ];
}

/** Distinct argument objects of about `bytes` of JSON each, so nothing is cached between calls. */
function argumentsOfSize(bytes: number, count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, serial) => {
    const rows = Math.max(1, Math.round(bytes / 100));
    return {
      serial,
      amount: 49.5,
      currency: "USD",
      rows: Array.from({ length: rows }, (_, at) => ({
        id: `row-${serial}-${at}`,
        note: "a customer asked for a refund \u00e9",
        amount: at * 1.25,
        done: at % 2 === 0,
      })),
    };
  });
}

async function argumentsHashRows(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const [label, bytes, perRound, batch] of [
    ["100 B", 100, 200, 20],
    ["10 KB", 10_000, 100, 2],
    ["1 MB", 1_000_000, 5, 1],
  ] as const) {
    const pool = argumentsOfSize(bytes, 16);
    const actual = Buffer.byteLength(JSON.stringify(pool[0]));
    const samples = await interleaved(
      {
        floor: {
          operation: (index) =>
            hash("sha256", JSON.stringify(pool[index % pool.length]), "base64url"),
          batch,
        },
        subject: { operation: (index) => argumentsHash(pool[index % pool.length]), batch },
      },
      perRound,
    );
    const floorName = `floor: JSON.stringify + SHA-256, ${label} of JSON`;
    const subject = samples.subject as number[];
    const floor = samples.floor as number[];
    results.push(
      row(floorName, floor, { note: `${actual.toLocaleString("en-US")} bytes` }),
      row(`argumentsHash, ${label} of JSON`, subject, {
        baseline: floorName,
        target: "≤ 2× JSON.stringify + SHA-256",
        met: median(subject) <= 2 * median(floor),
      }),
    );
  }
  return results;
}

/** `perHop` grants on distinct actions, the called one last. */
function distinctActions(perHop: number) {
  return parseGrantText(
    [
      ...Array.from({ length: perHop - 1 }, (_, index) => `svc${index}.act(amount < 5000)`),
      "refunds.approve(amount < 5000, currency in [USD, EUR], note startsWith ok)",
    ].join("; "),
  );
}

async function grantRows(): Promise<BenchResult[]> {
  const args = { amount: 49, currency: "USD", note: "ok: customer" };
  const sameAction = [0, 1, 2].map(() => new CompiledGrants(tenConditionalGrants()));
  const distinct4 = [0, 1, 2].map(() => new CompiledGrants(distinctActions(4)));
  const distinct32 = [0, 1, 2].map(() => new CompiledGrants(distinctActions(32)));
  const evaluateAll = (lists: CompiledGrants[]) => () => {
    for (const list of lists) {
      if (!list.evaluate("refunds.approve", args).permitted) throw new Error("not permitted");
    }
  };
  const samples = await interleaved(
    {
      same: { operation: evaluateAll(sameAction), batch: 100 },
      distinct4: { operation: evaluateAll(distinct4), batch: 100 },
      distinct32: { operation: evaluateAll(distinct32), batch: 100 },
    },
    200,
  );
  const fewDistinct = "grant evaluation, 4 grants × 3 hops, distinct actions";
  return [
    row(
      "grant evaluation, 10 grants × 3 hops, one action (last permits)",
      samples.same as number[],
      {
        target: "≤ 3 µs",
        met: median(samples.same as number[]) <= 3,
      },
    ),
    row(fewDistinct, samples.distinct4 as number[]),
    row("grant evaluation, 32 grants × 3 hops, distinct actions", samples.distinct32 as number[], {
      baseline: fewDistinct,
      target: "sublinear: ≤ 2× the 4-grant figure for 8× the grants (32 is the most a list holds)",
      met: median(samples.distinct32 as number[]) <= 2 * median(samples.distinct4 as number[]),
    }),
  ];
}

/**
 * The default replay cache (a 60 s proof lifetime + 60 s of skew) under ten
 * simulated minutes of 5,000 fresh proofs a second: how long each add takes
 * once the cache holds a full window, and how many proofs it refused.
 */
function replayCacheRow(): BenchResult {
  const retentionMs = 120_000;
  const cache = new ReplayCache(replayCacheCapacity(retentionMs), retentionMs);
  const perSecond = 5_000;
  const samples: number[] = [];
  let refused = 0;
  let serial = 0;
  for (let second = 0; second < 600; second++) {
    const started = performance.now();
    for (let index = 0; index < perSecond; index++) {
      const at = second * 1000 + Math.floor(index / (perSecond / 1000));
      if (cache.add(`proof-${serial++}`, at) !== "added") refused++;
    }
    // Seconds past the first window: the cache holds a full window and sweeps as it adds.
    if (second * 1000 > retentionMs)
      samples.push(((performance.now() - started) * 1000) / perSecond);
  }
  return row("replay cache, default size, 10 simulated minutes at 5,000 proofs/s", samples, {
    target: "no proof.replay_cache_full",
    met: refused === 0,
    note: `${serial.toLocaleString("en-US")} proofs, ${refused} refused, ${cache.size.toLocaleString("en-US")} ids held at the end; µs per add`,
  });
}

export async function runHotPathBenchmarks(): Promise<BenchResult[]> {
  return [
    ...(await guardRows()),
    replayCacheRow(),
    ...(await argumentsHashRows()),
    ...(await grantRows()),
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(printTable(await runHotPathBenchmarks()));
}
