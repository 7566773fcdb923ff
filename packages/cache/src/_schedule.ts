/** When a batch loader dispatches: after the current promise jobs, as DataLoader does. */

type NextTick = (fn: () => void) => void;

/** One settled promise to chain on, as DataLoader does: no allocation per dispatch. */
const resolved = Promise.resolve();

const processNextTick = (globalThis as { process?: { nextTick?: NextTick } }).process?.nextTick;

/**
 * Runs `fn` after every promise job queued so far and the next tick, so that all loads of a
 * tick (including those queued by `.then` chains) land in one batch. Without
 * `process.nextTick` (browsers, edge runtimes) it falls back to a zero-delay timer.
 */
export function afterPromiseJobs(
  fn: () => void,
  nextTick: NextTick | null = processNextTick ?? null,
): void {
  if (nextTick === null) {
    setTimeout(fn, 0);
    return;
  }
  void resolved.then(() => {
    nextTick(fn);
  });
}
