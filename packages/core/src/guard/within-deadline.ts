import { DeadlineQueue } from "./deadline-queue.js";

/** One queue per wait length: every wait of a guard has its deadline. */
const queues = new Map<number, DeadlineQueue>();

/**
 * Settles as `work` does, or rejects with `timeout()`'s error once `ms` pass
 * first. The guard bounds everything a decision waits on this way: a store or
 * a resolver that never answers must refuse the call, not hang it.
 */
export function withinDeadline<T>(work: Promise<T>, ms: number, timeout: () => Error): Promise<T> {
  let queue = queues.get(ms);
  if (queue === undefined) {
    queue = new DeadlineQueue(ms);
    queues.set(ms, queue);
  }
  const deadlines = queue;
  return new Promise<T>((resolve, reject) => {
    const wait = deadlines.wait(reject, timeout);
    work.then(
      (value) => {
        deadlines.settle(wait);
        resolve(value);
      },
      (error: unknown) => {
        deadlines.settle(wait);
        reject(error);
      },
    );
  });
}
