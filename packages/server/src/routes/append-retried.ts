import type { LedgerRecord } from "@writ/core";
import {
  canonicalJson,
  GENESIS_HASH,
  type LedgerAppend,
  type LedgerEntry,
  sealLedgerEntry,
} from "@writ/core/backend";
import type { WritStore } from "../writ-store.js";

/**
 * Appends rows a client sends again because an earlier request got no
 * answer: each of the first `retried` is recorded only when the store does
 * not already hold it (the same event, every field alike, of the same call at
 * the same time), so a retried batch is never recorded twice. Answers with
 * every row's record, the ones found and the ones appended, in order.
 */
export async function appendRetried(
  store: WritStore,
  appends: readonly LedgerAppend[],
  retried: number,
): Promise<readonly LedgerRecord[]> {
  const found = await Promise.all(
    appends.map((append, index) =>
      index < retried ? recordedEntry(store, append.entry) : undefined,
    ),
  );
  const appended = await store.append(appends.filter((_, index) => found[index] === undefined));
  let next = 0;
  return found.map((record) => record ?? (appended[next++] as LedgerRecord));
}

async function recordedEntry(
  store: WritStore,
  entry: LedgerEntry,
): Promise<LedgerRecord | undefined> {
  if (entry.callId === undefined) return undefined;
  const { records } = await store.queryLedger({
    kind: entry.kind,
    callId: entry.callId,
    ...(entry.tenant === undefined ? {} : { tenant: entry.tenant }),
    from: entry.time,
    to: entry.time + 1,
    limit: 1000,
  });
  const wanted = eventOf(sealLedgerEntry(entry, UNPLACED));
  return records.find((record) => eventOf(record) === wanted);
}

const UNPLACED = { chainId: "", seq: 0, id: "", prevHash: GENESIS_HASH };

/** A row's event, without where the chain placed it. */
function eventOf(record: LedgerRecord): string {
  const {
    chainId: _chainId,
    seq: _seq,
    id: _id,
    prevHash: _prevHash,
    hash: _hash,
    ...event
  } = record;
  return canonicalJson(event);
}
