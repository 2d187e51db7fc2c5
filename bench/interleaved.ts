/**
 * Floors and subjects measured in the same rounds of one process (DESIGN §8):
 * each round runs every subject in turn, rotating which goes first, so the
 * machine's drift touches floor and subject alike.
 */
export type Subject = {
  /** Runs before the round's timed operations, untimed (e.g. signing the round's calls). */
  readonly prepare?: (count: number) => void;
  /** One operation; its time in µs is one sample. */
  readonly operation: (index: number) => unknown;
  /** Operations per sample, for work too short for the clock to time alone. */
  readonly batch?: number;
  /** Samples a round, when not the common number (slow work). */
  readonly perRound?: number;
};

/**
 * Runs every subject `perRound` samples a round for `rounds` rounds, rotating
 * which goes first, and returns each subject's per-operation µs. As many
 * rounds before them warm up and are not kept: a guard in service has run
 * far more calls than a bench times, and its JavaScript runs optimised (a
 * native floor needs no warming), so a short warm-up times V8's tiering, not
 * the guard (the in-memory authorize read 1.38–1.40× its verify after one
 * round and 1.28–1.30× after twenty).
 */
export async function interleaved(
  subjects: Record<string, Subject>,
  perRound: number,
  rounds = 20,
): Promise<Record<string, number[]>> {
  const names = Object.keys(subjects);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let index = -rounds; index < rounds; index++) {
    const order = names.map((_, at) => names[(at + Math.max(index, 0)) % names.length] as string);
    for (const name of order) {
      const subject = subjects[name] as Subject;
      const { prepare, operation, batch = 1 } = subject;
      const count = subject.perRound ?? perRound;
      prepare?.(count * batch);
      const into = index < 0 ? [] : (samples[name] as number[]);
      let op = 0;
      for (let sample = 0; sample < count; sample++) {
        const started = performance.now();
        for (let inBatch = 0; inBatch < batch; inBatch++) {
          const result = operation(op++);
          if (result instanceof Promise) await result;
        }
        into.push(((performance.now() - started) * 1000) / batch);
      }
    }
  }
  return samples;
}
