import {
  EXPORT_FORMATS,
  type ExportFormat,
  type LedgerPage,
  type LedgerQuery,
  type LedgerRecord,
  type SignedTreeHead,
} from "@writ/core/backend";
import { toEcsEvent } from "./ecs-event.js";
import { toOcsfApiActivity } from "./ocsf-api-activity.js";
import { treeHeadEvent } from "./tree-head-event.js";

const FORMATTERS: Readonly<Record<ExportFormat, (record: LedgerRecord) => unknown>> = {
  ocsf: (record) => toOcsfApiActivity(record),
  ecs: toEcsEvent,
  jsonl: (record) => record,
};

/**
 * Streams the ledger as newline-delimited JSON, one page at a time, so an
 * export never holds more than a page in memory, and ends with the newest
 * signed tree head (`treeHead()`), which the receiver keeps as a witness.
 * Each yielded string is one line ending in "\n".
 */
export async function* exportLines(
  format: ExportFormat,
  query: Omit<LedgerQuery, "cursor" | "limit">,
  page: (query: LedgerQuery) => Promise<LedgerPage>,
  treeHead: () => Promise<SignedTreeHead | undefined>,
): AsyncGenerator<string, void, undefined> {
  const formatter = FORMATTERS[format];
  if (!formatter)
    throw new TypeError(
      `Unknown export format ${JSON.stringify(format)}: use one of ${EXPORT_FORMATS.join(", ")}.`,
    );
  let cursor: string | undefined;
  do {
    const { records, nextCursor } = await page({
      ...query,
      limit: 500,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const record of records) yield `${JSON.stringify(formatter(record))}\n`;
    cursor = nextCursor;
  } while (cursor !== undefined);
  const head = await treeHead();
  if (head) yield `${JSON.stringify(treeHeadEvent(format, head))}\n`;
}
