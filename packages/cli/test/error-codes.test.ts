import { readFileSync } from "node:fs";
import { type ErrorSpec, errorSpec, WRIT_ERROR_CODES, WritError } from "@writ/core";
import { describe, expect, it } from "vitest";
import { exitCodeOf } from "../src/exit-code-of.js";
import { EXIT_CODES } from "../src/exit-codes.js";
import { UsageError } from "../src/usage-error.js";

const reference = new URL("../../../docs/errors.md", import.meta.url);
const cliReadme = new URL("../README.md", import.meta.url);

describe("the writ command's exit code for an error", () => {
  it("is the number of the registry's exit class, for every code", () => {
    for (const code of WRIT_ERROR_CODES) {
      expect(exitCodeOf(new WritError(code, "It failed.")), code).toBe(
        EXIT_CODES[errorSpec(code).exit],
      );
    }
  });

  it("is usage for command-line mistakes and failed for anything unclassified", () => {
    expect(exitCodeOf(new UsageError("Unknown flag --x."))).toBe(EXIT_CODES.usage);
    expect(exitCodeOf(new TypeError("ttl must be a number."))).toBe(EXIT_CODES.usage);
    expect(exitCodeOf(new Error("disk on fire"))).toBe(EXIT_CODES.failed);
    const unknownCode = Object.assign(new WritError("store.corrupt", "From a newer copy."), {
      code: "store.melted",
    });
    expect(exitCodeOf(unknownCode)).toBe(EXIT_CODES.failed);
  });

  it("means what the README's exit-code table says", () => {
    const documented = [...readFileSync(cliReadme, "utf8").matchAll(/^\| (\d) {4}\|/gm)].map(
      (match) => Number(match[1]),
    );
    expect(documented).toEqual(Object.values(EXIT_CODES));
  });
});

/** The row docs/errors.md shows for one code, from the registry. */
function referenceRow(code: string, spec: ErrorSpec): string[] {
  const gateway =
    spec.challenge === "insufficient_scope"
      ? "403 insufficient_scope"
      : spec.challenge !== null
        ? `401 ${spec.challenge}`
        : spec.status === 503
          ? "503"
          : "result";
  return [
    `\`${code}\``,
    String(spec.status),
    gateway,
    `${EXIT_CODES[spec.exit]} ${spec.exit}`,
    spec.retryable ? "yes" : "no",
    spec.message,
  ];
}

describe("docs/errors.md", () => {
  it("lists exactly the registry's codes, each as every surface speaks it", () => {
    const rows = readFileSync(reference, "utf8")
      .split("\n")
      .filter((line) => line.startsWith("| `"))
      .map((line) =>
        line
          .slice(1, -1)
          .split(" | ")
          .map((cell) => cell.trim()),
      );
    const expected = WRIT_ERROR_CODES.map((code) => referenceRow(code, errorSpec(code)));
    const byCode = (a: string[], b: string[]) => String(a[0]).localeCompare(String(b[0]));
    expect(rows.sort(byCode)).toEqual(expected.sort(byCode));
  });
});
