import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { say, scriptedModel } from "./model.js";
import { runWithUsableTools } from "./readme/usable-tools.js";
import { createWorld } from "./world.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

describe("the README's quick start", () => {
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

describe("the README's usable tools", () => {
  it("offer the model only the tools the session could ever use", async () => {
    const { guard, session } = await createWorld();
    const model = scriptedModel([say("Nothing to do.")]);
    await runWithUsableTools(guard, session, model);
    expect(model.doGenerateCalls[0]?.tools?.map((tool) => tool.name)).toEqual(["approve_refund"]);
  });
});
