import { open } from "node:fs/promises";
import type { TreeHeadWitness } from "./tree-head-witness.js";

/**
 * A witness that appends each tree head to `path` as one JSON line, flushed
 * to disk before the delivery resolves. The file is created owner-only. Put
 * it where whoever can write the store cannot: another disk, host or account.
 * `writ audit verify --against <path>` checks the ledger against its last line.
 */
export function fileWitness(path: string): TreeHeadWitness {
  if (typeof path !== "string" || path.length === 0)
    throw new TypeError("fileWitness needs the path of the file to append tree heads to.");
  let last: Promise<void> = Promise.resolve();
  return (head) => {
    // One append at a time, so lines never interleave.
    const append = last.then(async () => {
      const file = await open(path, "a", 0o600);
      try {
        await file.appendFile(`${JSON.stringify(head)}\n`);
        await file.datasync();
      } finally {
        await file.close();
      }
    });
    last = append.catch(() => undefined);
    return append;
  };
}
