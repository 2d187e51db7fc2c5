import type { z } from "@hono/zod-openapi";
import { isPrincipalId } from "@writ/core/backend";
import { invalidRequest } from "../http/invalid-request.js";
import { LedgerAppendSchema } from "./ledger-schemas.js";

export type LedgerAppendBody = z.output<typeof LedgerAppendSchema>;

/**
 * `POST /v1/ledger/append`'s body, validated: every remote decision sends one,
 * and Zod's asynchronous parse (what the OpenAPI route validator runs) cost the
 * server more than the rest of the route's own JavaScript. A body a guard sends
 * is checked here by hand against the same rules and copied member by member
 * (unknown members dropped, as Zod drops them); anything the check is not sure
 * of — every bad body, and the rare shapes it leaves alone — goes to
 * `LedgerAppendSchema`, which decides and words the refusal as every route's.
 */
export function ledgerAppendBody(body: unknown): LedgerAppendBody {
  const checked = checkedAppend(body);
  if (checked !== undefined) return checked;
  const result = LedgerAppendSchema.safeParse(body);
  if (!result.success) throw invalidRequest("json", result.error.issues);
  return result.data;
}

type Entry = LedgerAppendBody["appends"][number]["entry"];
type Payload = NonNullable<LedgerAppendBody["appends"][number]["payloads"]>[number];
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const KINDS = new Set(["decision", "outcome", "approval"]);
const EFFECTS = new Set(["allow", "deny", "approval_required"]);
const OUTCOMES = new Set(["ok", "error"]);
const HASH = /^[0-9a-f]{64}$/;
/** The entry's members of bounded text, with their bounds (LedgerEntrySchema's). */
const TEXTS = [
  ["callId", 256],
  ["action", 256],
  ["tool", 256],
  ["adapter", 64],
  ["reason", 128],
  ["error", 2048],
] as const;
const PRINCIPALS = ["tenant", "user", "agent"] as const;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isEpochMs = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 0;
const isText = (value: unknown, max: number): value is string =>
  typeof value === "string" && value.length <= max;

/** The body as LedgerAppendSchema would output it, or undefined when it might refuse it. */
function checkedAppend(body: unknown): LedgerAppendBody | undefined {
  if (!isObject(body)) return undefined;
  const { appends, retried } = body;
  if (!Array.isArray(appends) || appends.length < 1 || appends.length > 1000) return undefined;
  if (
    retried !== undefined &&
    !(Number.isSafeInteger(retried) && (retried as number) >= 1 && (retried as number) <= 1000)
  ) {
    return undefined;
  }
  const out: LedgerAppendBody["appends"][number][] = [];
  for (const append of appends) {
    if (!isObject(append)) return undefined;
    const entry = checkedEntry(append.entry);
    if (entry === undefined) return undefined;
    if (append.payloads === undefined) {
      out.push({ entry });
      continue;
    }
    const payloads = checkedPayloads(append.payloads);
    if (payloads === undefined) return undefined;
    out.push({ entry, payloads });
  }
  return retried === undefined ? { appends: out } : { appends: out, retried: retried as number };
}

function checkedEntry(entry: unknown): Entry | undefined {
  if (!isObject(entry) || !KINDS.has(entry.kind as string) || !isEpochMs(entry.time)) {
    return undefined;
  }
  const out = { kind: entry.kind, time: entry.time } as Mutable<Entry>;
  for (const name of PRINCIPALS) {
    const value = entry[name];
    if (value === undefined) continue;
    if (typeof value !== "string" || !isPrincipalId(value)) return undefined;
    out[name] = value;
  }
  for (const [name, max] of TEXTS) {
    const value = entry[name];
    if (value === undefined) continue;
    if (!isText(value, max)) return undefined;
    out[name] = value;
  }
  const { chain, decision, outcome, durationMs, inputHash, outputHash, detail } = entry;
  if (chain !== undefined) {
    const checked = checkedChain(chain);
    if (checked === undefined) return undefined;
    out.chain = checked;
  }
  if (decision !== undefined) {
    if (!EFFECTS.has(decision as string)) return undefined;
    out.decision = decision as Entry["decision"];
  }
  if (outcome !== undefined) {
    if (!OUTCOMES.has(outcome as string)) return undefined;
    out.outcome = outcome as Entry["outcome"];
  }
  if (durationMs !== undefined) {
    if (!(Number.isFinite(durationMs) && (durationMs as number) >= 0)) return undefined;
    out.durationMs = durationMs as number;
  }
  for (const [name, value] of [
    ["inputHash", inputHash],
    ["outputHash", outputHash],
  ] as const) {
    if (value === undefined) continue;
    if (typeof value !== "string" || !HASH.test(value)) return undefined;
    out[name] = value;
  }
  if (detail !== undefined) {
    const checked = checkedDetail(detail);
    if (checked === undefined) return undefined;
    out.detail = checked;
  }
  return out;
}

function checkedChain(chain: unknown): Entry["chain"] | undefined {
  if (!isObject(chain)) return undefined;
  const { agents, hops } = chain;
  if (!Array.isArray(agents) || agents.length > 8 || !Array.isArray(hops) || hops.length > 8) {
    return undefined;
  }
  for (const agent of agents) {
    if (typeof agent !== "string" || !isPrincipalId(agent)) return undefined;
  }
  for (const hop of hops) if (!isText(hop, 128)) return undefined;
  // Zod's readonly() freezes what it outputs.
  return { agents: Object.freeze([...agents]), hops: Object.freeze([...hops]) };
}

function checkedDetail(detail: unknown): Entry["detail"] | undefined {
  if (!isObject(detail) || Object.getPrototypeOf(detail) !== Object.prototype) return undefined;
  const keys = Object.keys(detail);
  if (keys.length > 32) return undefined;
  const out: Record<string, string | number | boolean | null> = {};
  for (const key of keys) {
    // A member named __proto__ would set the copy's prototype: Zod decides those.
    if (key.length > 64 || key === "__proto__") return undefined;
    const value = detail[key];
    if (
      !(
        value === null ||
        typeof value === "boolean" ||
        (typeof value === "number" && Number.isFinite(value)) ||
        isText(value, 2048)
      )
    ) {
      return undefined;
    }
    out[key] = value;
  }
  return out;
}

function checkedPayloads(payloads: unknown): Payload[] | undefined {
  if (!Array.isArray(payloads) || payloads.length > 4) return undefined;
  const out: Payload[] = [];
  for (const payload of payloads) {
    // A payload without a body is left to Zod, which decides how to output it.
    if (!isObject(payload) || !("body" in payload)) return undefined;
    if (typeof payload.hash !== "string" || !HASH.test(payload.hash)) return undefined;
    out.push({ hash: payload.hash, body: payload.body });
  }
  return out;
}
