/** Per-operation timings, in microseconds, sorted ascending. */
export interface Samples {
  readonly perOpMicros: readonly number[];
}

export interface MeasureOptions {
  /** Timed samples to take. */
  readonly samples?: number;
  /** Operations per sample: batch sub-microsecond work so the clock's own cost does not dominate. */
  readonly batch?: number;
  /** Untimed runs first, so the JIT and caches are warm. */
  readonly warmup?: number;
}

/** Times `operation` (sync or async) and returns sorted per-operation microseconds. */
export async function measure(
  operation: () => unknown,
  options: MeasureOptions = {},
): Promise<Samples> {
  const { samples = 2000, batch = 1, warmup = Math.min(500, samples) } = options;
  for (let index = 0; index < warmup * batch; index++) await operation();
  const perOp: number[] = [];
  for (let sample = 0; sample < samples; sample++) {
    const start = process.hrtime.bigint();
    for (let index = 0; index < batch; index++) await operation();
    perOp.push(Number(process.hrtime.bigint() - start) / 1000 / batch);
  }
  return { perOpMicros: perOp.sort((a, b) => a - b) };
}

/** Like measure(), for synchronous work: no await per operation, so nothing but the work is timed. */
export function measureSync(operation: () => unknown, options: MeasureOptions = {}): Samples {
  const { samples = 2000, batch = 1, warmup = Math.min(500, samples) } = options;
  for (let index = 0; index < warmup * batch; index++) operation();
  const perOp: number[] = [];
  for (let sample = 0; sample < samples; sample++) {
    const start = process.hrtime.bigint();
    for (let index = 0; index < batch; index++) operation();
    perOp.push(Number(process.hrtime.bigint() - start) / 1000 / batch);
  }
  return { perOpMicros: perOp.sort((a, b) => a - b) };
}

export function percentile(samples: Samples, fraction: number): number {
  const values = samples.perOpMicros;
  return values[Math.min(values.length - 1, Math.floor(fraction * values.length))] ?? Number.NaN;
}

export const median = (samples: Samples) => percentile(samples, 0.5);
export const p99 = (samples: Samples) => percentile(samples, 0.99);
