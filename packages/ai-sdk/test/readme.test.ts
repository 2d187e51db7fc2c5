import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

/** The README's TypeScript blocks that name their file on their first line. */
function fileBlocks(): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const [, body] of readme.matchAll(/```ts\n([\s\S]*?)```/g)) {
    const name = /^\/\/ ([\w-]+\.ts)\b/.exec(body ?? "")?.[1];
    if (name) blocks.set(name, body ?? "");
  }
  return blocks;
}

describe("the README's quick start", () => {
  it("is the code this test runs", () => {
    const blocks = fileBlocks();
    expect([...blocks.keys()]).toEqual(["quick-start.ts", "scripted-model.ts"]);
    for (const [name, body] of blocks) {
      expect(body, name).toBe(readFileSync(new URL(`./${name}`, import.meta.url), "utf8"));
    }
  });

  it("runs as written and prints what the README says", async () => {
    const printed: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((...values: unknown[]) => {
      printed.push(values.map(String).join(" "));
    });
    try {
      await import("./quick-start.js");
    } finally {
      log.mockRestore();
    }
    const expected = /```text\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf("It prints:")))?.[1];
    expect(printed.join("\n")).toBe(expected?.trimEnd());
  });
});
