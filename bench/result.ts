/** One measured figure, printed by `pnpm bench` and written to bench/results/latest.json. */
export interface BenchResult {
  /** Group the figure belongs to in the table (e.g. "core", "store", "peers"). */
  readonly group: string;
  readonly name: string;
  /** "µs" for latencies, "ops/s" or "rows/s" for throughput. */
  readonly unit: "µs" | "ms" | "ops/s" | "rows/s";
  readonly median: number;
  readonly p99?: number;
  /** Name of the result this one is compared with (the floor or a peer), shown as a ratio. */
  readonly baseline?: string;
  /** The DESIGN §8 target, as text, and whether this run met it. */
  readonly target?: string;
  readonly met?: boolean;
  readonly note?: string;
}
