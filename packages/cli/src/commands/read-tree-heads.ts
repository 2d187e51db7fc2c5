import { existsSync, readFileSync } from "node:fs";
import { parseSignedTreeHead, type SignedTreeHead, TREE_HEAD_TYPE } from "@writ/core/backend";
import { UsageError } from "../usage-error.js";

/**
 * The signed tree heads kept in a file outside the store: one head as JSON,
 * a witness file (one head per line), or an export (its tree-head lines, in
 * any of the export formats). Names the file and line of what is wrong.
 */
export function readTreeHeads(path: string, command: string): SignedTreeHead[] {
  if (!existsSync(path))
    throw new UsageError(
      `--against: ${path} does not exist: give a tree head file, a witness file or an export.`,
      command,
    );
  const text = readFileSync(path, "utf8");
  // One head, perhaps printed over several lines; else one JSON value per line.
  const lines = wholeJson(text) ? [text] : text.split("\n");
  const heads: SignedTreeHead[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new UsageError(`--against: line ${index + 1} of ${path} is not JSON.`, command);
    }
    const head = treeHeadIn(value);
    if (head === undefined) return; // an export's ledger rows
    try {
      heads.push(parseSignedTreeHead(head));
    } catch (error) {
      throw new UsageError(
        `--against: line ${index + 1} of ${path} is not a valid tree head: ${(error as Error).message}`,
        command,
      );
    }
  });
  if (heads.length === 0)
    throw new UsageError(
      `--against: ${path} holds no signed tree head (lines with "typ": "${TREE_HEAD_TYPE}").`,
      command,
    );
  return heads;
}

/** The tree head a line carries: itself (jsonl, a witness), or inside an OCSF or ECS event. */
export function treeHeadIn(value: unknown): unknown {
  if (value === null || typeof value !== "object") return undefined;
  const line = value as {
    typ?: unknown;
    writ?: { tree_head?: unknown };
    unmapped?: { writ?: { tree_head?: unknown } };
  };
  if (line.typ === TREE_HEAD_TYPE) return line;
  return line.writ?.tree_head ?? line.unmapped?.writ?.tree_head;
}

function wholeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
