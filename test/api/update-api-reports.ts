/** `pnpm api`: rewrites every package's API reports from its sources. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, relative } from "node:path";
import { apiReports, REPOSITORY } from "./api-report.js";

for (const [path, report] of apiReports()) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, report);
  console.log(`wrote ${relative(REPOSITORY, path)}`);
}
