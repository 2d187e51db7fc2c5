import type { LedgerAppend } from "@writ/core/backend";

/**
 * A ledger row as `POST /v1/ledger/append` carries it, serialized once: the
 * outbox sizes a queued row by this text and a request joins the rows' texts,
 * rather than serializing a payload body to check it, again to size a batch
 * and again for the request (a call's arguments may be megabytes). A payload
 * body with no JSON form is kept as its hash only, as the store itself does,
 * rather than failing the whole append (and so the call).
 */
export function appendJson(append: LedgerAppend): string {
  const entry = JSON.stringify(append.entry);
  if (append.payloads === undefined) return `{"entry":${entry}}`;
  const payloads: string[] = [];
  for (const { hash, body } of append.payloads) {
    let json: string | undefined;
    try {
      json = JSON.stringify(body);
    } catch {
      continue;
    }
    if (json !== undefined) payloads.push(`{"hash":${JSON.stringify(hash)},"body":${json}}`);
  }
  return `{"entry":${entry},"payloads":[${payloads.join(",")}]}`;
}

/** The request's body: the rows' texts, the first `retried` of which an earlier request may have recorded. */
export function appendRequestJson(rows: readonly string[], retried: number): string {
  return `{"appends":[${rows.join(",")}]${retried > 0 ? `,"retried":${retried}` : ""}}`;
}
