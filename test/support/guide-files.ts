import { readFileSync } from "node:fs";

/**
 * The TypeScript blocks of a markdown guide that name their file on their
 * first line (`// setup.ts: …`), by file name: so a test can check that the
 * guide shows exactly the files the test runs.
 */
export function guideFileBlocks(guide: URL): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const [, body] of readFileSync(guide, "utf8").matchAll(/```ts\n([\s\S]*?)```/g)) {
    const name = /^\/\/ ([\w-]+\.ts):/.exec(body ?? "")?.[1];
    if (name) blocks.set(name, body ?? "");
  }
  return blocks;
}
