/**
 * Settles as `work` does, or rejects with `timeout()`'s error once `ms` pass
 * first. The guard bounds everything a decision waits on this way: a store or
 * a resolver that never answers must refuse the call, not hang it.
 */
export function withinDeadline<T>(work: Promise<T>, ms: number, timeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeout()), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
