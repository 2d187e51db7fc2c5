import type { BenchResult } from "./result.js";

const format = (value: number, unit: BenchResult["unit"]) =>
  unit === "ops/s" || unit === "rows/s"
    ? `${Math.round(value).toLocaleString("en-US")} ${unit}`
    : `${Math.abs(value) < 10 ? value.toFixed(2) : Math.abs(value) < 100 ? value.toFixed(1) : Math.round(value).toLocaleString("en-US")} ${unit}`;

/** Prints results as one table: median, p99, ratio to its baseline, target and verdict. */
export function printTable(results: readonly BenchResult[]): string {
  const byName = new Map(results.map((result) => [result.name, result]));
  const rows = results.map((result) => {
    const baseline = result.baseline ? byName.get(result.baseline) : undefined;
    const ratio = baseline
      ? `${(result.median / baseline.median).toFixed(2)}× ${result.baseline}`
      : "";
    const verdict = result.target ? `${result.met ? "met" : "NOT met"}: ${result.target}` : "";
    return [
      result.group,
      result.name,
      format(result.median, result.unit),
      result.p99 === undefined ? "" : format(result.p99, result.unit),
      ratio,
      verdict,
      result.note ?? "",
    ];
  });
  const header = ["group", "benchmark", "median", "p99", "vs", "DESIGN §8 target", "note"];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((width) => "─".repeat(width))), ...rows.map(line)].join(
    "\n",
  );
}
