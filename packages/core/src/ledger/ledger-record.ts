import { canonicalJson } from "../encoding/canonical-json.js";
import { canonicalString } from "../encoding/canonical-string.js";
import { sha256Hex } from "../encoding/sha256.js";

/** The kinds of ledger event (DESIGN §6). */
export type LedgerEventKind =
  | "decision"
  | "outcome"
  | "delegation"
  | "issue"
  | "revocation"
  | "approval"
  | "admin";

export type DecisionEffect = "allow" | "deny" | "approval_required";

/** Non-secret extra facts of an event (approval id, revocation target …). */
export type LedgerDetail = Readonly<Record<string, string | number | boolean | null>>;

/** An event as a writer submits it; the backend seals it into its chain. */
export interface LedgerEntry {
  readonly kind: LedgerEventKind;
  /** Epoch ms. */
  readonly time: number;
  readonly tenant?: string | undefined;
  readonly callId?: string | undefined;
  readonly user?: string | undefined;
  readonly agent?: string | undefined;
  /** Agent ids and hop jtis, root→leaf. */
  readonly chain?:
    | { readonly agents: readonly string[]; readonly hops: readonly string[] }
    | undefined;
  readonly action?: string | undefined;
  readonly tool?: string | undefined;
  readonly adapter?: string | undefined;
  readonly decision?: DecisionEffect | undefined;
  /** The decision or error code. */
  readonly reason?: string | undefined;
  readonly outcome?: "ok" | "error" | undefined;
  /** A tool's error message (never a token or key). */
  readonly error?: string | undefined;
  readonly durationMs?: number | undefined;
  /** hex SHA-256 of the canonical input and output; the bodies live in the erasable payload table. */
  readonly inputHash?: string | undefined;
  readonly outputHash?: string | undefined;
  readonly detail?: LedgerDetail | undefined;
}

/** A payload stored beside the chain, keyed by its hash, erasable without breaking the chain. */
export interface LedgerPayload {
  readonly hash: string;
  readonly body: unknown;
}

export interface LedgerAppend {
  readonly entry: LedgerEntry;
  readonly payloads?: readonly LedgerPayload[];
}

/** A sealed ledger row: every field present (null when absent), hash-chained per writer. */
export interface LedgerRecord {
  readonly chainId: string;
  readonly seq: number;
  readonly id: string;
  readonly time: number;
  readonly tenant: string | null;
  readonly kind: LedgerEventKind;
  readonly callId: string | null;
  readonly user: string | null;
  readonly agent: string | null;
  readonly chain: { readonly agents: readonly string[]; readonly hops: readonly string[] } | null;
  readonly action: string | null;
  readonly tool: string | null;
  readonly adapter: string | null;
  readonly decision: DecisionEffect | null;
  readonly reason: string | null;
  readonly outcome: "ok" | "error" | null;
  readonly error: string | null;
  readonly durationMs: number | null;
  readonly inputHash: string | null;
  readonly outputHash: string | null;
  readonly detail: LedgerDetail | null;
  readonly prevHash: string;
  readonly hash: string;
}

/** prevHash of the first row of every chain. */
export const GENESIS_HASH = "0".repeat(64);

/**
 * Seals an entry as row `seq` of chain `chainId`: hash = SHA-256 over the RFC
 * 8785 canonical JSON of the row with prevHash (and without hash).
 */
export function sealLedgerEntry(
  entry: LedgerEntry,
  position: {
    readonly chainId: string;
    readonly seq: number;
    readonly id: string;
    readonly prevHash: string;
  },
): LedgerRecord {
  const record = unsealedLedgerRecord(entry, position);
  record.hash = knownFieldsHash(record);
  return record;
}

/** Where a row goes: its chain, its place in it, its id and the hash of the row before it. */
type LedgerPosition = Parameters<typeof sealLedgerEntry>[1];

/** A row as sealLedgerEntry() builds it, `hash` still empty. */
export type UnsealedLedgerRecord = { -readonly [K in keyof LedgerRecord]: LedgerRecord[K] };

/** The row sealLedgerEntry() makes of `entry`, before its hash: every field but `hash` final. */
export function unsealedLedgerRecord(
  entry: LedgerEntry,
  position: LedgerPosition,
): UnsealedLedgerRecord {
  // Added in place, after the other fields, as a sealed row orders them.
  const record = ledgerRowFields(entry, position) as UnsealedLedgerRecord;
  record.prevHash = position.prevHash;
  record.hash = "";
  return record;
}

/** A row's fields but its two hashes: what its entry and its place fix. */
export type LedgerRowFields = Omit<UnsealedLedgerRecord, "prevHash" | "hash">;

/** The fields of the row `entry` makes at `position`, in a sealed row's order, without prevHash and hash. */
export function ledgerRowFields(
  entry: LedgerEntry,
  position: Omit<LedgerPosition, "prevHash">,
): LedgerRowFields {
  const chain = entry.chain
    ? { agents: unchanging(entry.chain.agents), hops: unchanging(entry.chain.hops) }
    : null;
  return {
    chainId: position.chainId,
    seq: position.seq,
    id: position.id,
    time: entry.time,
    tenant: entry.tenant ?? null,
    kind: entry.kind,
    callId: entry.callId ?? null,
    user: entry.user ?? null,
    agent: entry.agent ?? null,
    chain,
    action: entry.action ?? null,
    tool: entry.tool ?? null,
    adapter: entry.adapter ?? null,
    decision: entry.decision ?? null,
    reason: entry.reason ?? null,
    outcome: entry.outcome ?? null,
    error: entry.error ?? null,
    durationMs: entry.durationMs ?? null,
    inputHash: entry.inputHash ?? null,
    outputHash: entry.outputHash ?? null,
    detail: entry.detail ?? null,
  };
}

/** The hash of a row holding exactly the fields unsealedLedgerRecord() builds, prevHash set. */
export function knownFieldsHash(record: Readonly<UnsealedLedgerRecord>): string {
  // Built with exactly the known fields: written without the generic check.
  const { chain } = record;
  return sha256Hex(knownFieldsText(record, chain === null ? undefined : storedChainJson(chain)));
}

/** Items a row may hold as they are when frozen (a verified writ's agents and hops); others are copied. */
function unchanging(items: readonly string[]): readonly string[] {
  return Object.isFrozen(items) ? items : [...items];
}

/** The canonical text of frozen chains, by their hops: every row of a writ's calls holds the same chain. */
const chainTexts = new WeakMap<
  readonly string[],
  { readonly agents: readonly string[]; readonly text: string }
>();

/** The last chain written that was not frozen, by value: consecutive rows mostly hold the same chain. */
let lastChain: { readonly agents: string[]; readonly hops: string[]; readonly text: string } = {
  agents: [],
  hops: [],
  text: canonicalJson({ agents: [], hops: [] }),
};

/**
 * The text a store keeps for a row's chain: its canonical JSON, exactly the
 * bytes the row's seal hashed (and `storedLedgerRowHash` hashes again), so a
 * store writes them as they are rather than serialising the chain anew.
 */
export function storedChainJson(chain: {
  readonly agents: readonly string[];
  readonly hops: readonly string[];
}): string {
  const kept = chainTexts.get(chain.hops);
  if (kept?.agents === chain.agents) return kept.text;
  const frozen = Object.isFrozen(chain.agents) && Object.isFrozen(chain.hops);
  if (!frozen && sameItems(lastChain.agents, chain.agents) && sameItems(lastChain.hops, chain.hops))
    return lastChain.text;
  const text = canonicalJson({ agents: chain.agents, hops: chain.hops });
  if (frozen) chainTexts.set(chain.hops, { agents: chain.agents, text });
  else lastChain = { agents: [...chain.agents], hops: [...chain.hops], text };
  return text;
}

function sameItems(kept: readonly string[], items: readonly string[]): boolean {
  if (kept.length !== items.length) return false;
  for (let index = 0; index < kept.length; index++) if (kept[index] !== items[index]) return false;
  return true;
}

/** The hash a row must carry: computed over every field but `hash` itself. */
export function ledgerRecordHash(
  record: Omit<LedgerRecord, "hash"> & { readonly hash?: string },
): string {
  return sha256Hex(canonicalRecord(record));
}

/**
 * A row as a store keeps it: every field of its record, with `chain` and
 * `detail` as the JSON text stored for them.
 */
export interface StoredLedgerRow extends Omit<LedgerRecord, "chain" | "detail"> {
  /** The text the row was stored with: JSON.stringify of `{ agents, hops }`, which is canonical. */
  readonly chainJson: string | null;
  readonly detailJson: string | null;
}

/**
 * The hash a stored row must carry, computed from its columns without
 * building the record: verification streams millions of rows through this.
 * The chain's stored text is hashed as it is, so any change to those bytes
 * shows; the detail (written in insertion order) is canonicalized first.
 * Throws if the detail is not JSON.
 */
export function storedLedgerRowHash(row: StoredLedgerRow): string {
  let text = "";
  for (let index = 0; index < RECORD_FIELDS.length; index++) {
    const field = RECORD_FIELDS[index] as (typeof RECORD_FIELDS)[number];
    text +=
      (MEMBER_PREFIXES[index] as string) +
      (field === "chain"
        ? (row.chainJson ?? "null")
        : field === "detail"
          ? row.detailJson === null
            ? "null"
            : canonicalJson(JSON.parse(row.detailJson))
          : memberJson(row[field]));
  }
  return sha256Hex(`${text}}`);
}

/** Most fields are short strings or null: written inline, exactly as canonicalJson writes them. */
function memberJson(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return canonicalString(value);
  // ECMAScript's number to string is RFC 8785's for every finite number.
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return canonicalJson(value);
}

/** Row fields in RFC 8785 member order (UTF-16 code units), `hash` excluded. */
const RECORD_FIELDS = [
  "action",
  "adapter",
  "agent",
  "callId",
  "chain",
  "chainId",
  "decision",
  "detail",
  "durationMs",
  "error",
  "id",
  "inputHash",
  "kind",
  "outcome",
  "outputHash",
  "prevHash",
  "reason",
  "seq",
  "tenant",
  "time",
  "tool",
  "user",
] as const;
const KNOWN_FIELDS: ReadonlySet<string> = new Set([...RECORD_FIELDS, "hash"]);
/** `{"action":`, `,"adapter":` …: what precedes each member's value in the canonical text. */
const MEMBER_PREFIXES = RECORD_FIELDS.map(
  (field, index) => `${index === 0 ? "{" : ","}"${field}":`,
);
/** `,"action":`, `,"adapter":` …: each member's prefix when members may be left out. */
const MEMBER_SEPARATORS = RECORD_FIELDS.map((field) => `,"${field}":`);

/**
 * canonicalJson() of the row without its hash, written field by field in the
 * known order: verifying a million rows is dominated by this, and the generic
 * path sorts every object's keys. A row carrying any other member takes the
 * generic path, so the text is always exactly canonicalJson's.
 */
function canonicalRecord(record: Readonly<Record<string, unknown>>): string {
  if (Object.keys(record).some((key) => !KNOWN_FIELDS.has(key))) {
    const { hash: _excluded, ...unsealed } = record;
    return canonicalJson(unsealed);
  }
  return knownFieldsText(record);
}

/**
 * canonicalRecord() of a row holding no member but the known fields (and
 * `hash`, left out); `chain`, when given, is the canonical text of its chain.
 */
function knownFieldsText(record: Readonly<Record<string, unknown>>, chain?: string): string {
  let text = "";
  for (let index = 0; index < RECORD_FIELDS.length; index++) {
    const field = RECORD_FIELDS[index] as (typeof RECORD_FIELDS)[number];
    const value = record[field];
    if (value === undefined) continue;
    text +=
      (MEMBER_SEPARATORS[index] as string) +
      (field === "chain" && chain !== undefined ? chain : memberJson(value));
  }
  return text === "" ? "{}" : `{${text.slice(1)}}`;
}
