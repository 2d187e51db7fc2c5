import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { apiReports, entryPoints, REPOSITORY } from "./api-report.js";

describe("public API reports", () => {
  const entries = entryPoints();

  it("cover every entry point of every published package, and only those", () => {
    expect(entries.map((entry) => entry.specifier)).toContain("@writ/core/backend");
    const kept = new Set(entries.map((entry) => entry.report));
    for (const dir of new Set(entries.map((entry) => dirname(entry.report)))) {
      for (const file of existsSync(dir) ? readdirSync(dir) : []) {
        expect(kept, `${relative(REPOSITORY, join(dir, file))} has no entry point`).toContain(
          join(dir, file),
        );
      }
    }
  });

  it("match what the sources export (run `pnpm api` and commit the reports to change an API)", () => {
    for (const [path, report] of apiReports(entries)) {
      const committed = existsSync(path) ? readFileSync(path, "utf8") : "(missing)";
      expect(committed, `${relative(REPOSITORY, path)} is out of date: run pnpm api`).toBe(report);
    }
    // Emitting every package's declarations takes minutes on a busy machine: this only stops a hang.
  }, 600_000);
});
