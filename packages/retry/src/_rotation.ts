/**
 * One bucket-rotation clock shared by every breaker with the same bucket length. opossum
 * otherwise starts two intervals per breaker (rotation and snapshots); with thousands of
 * breakers that is thousands of timers (nodeshift/opossum#648, PR #809). opossum only calls
 * `on`, `removeListener` and `listenerCount` on the controller, so a tiny object does, and the
 * root entry needs no `node:events`.
 */

type Listener = () => void;

/** The subset of an EventEmitter that opossum's `rotateBucketController` uses. */
export interface RotationClock {
  on(event: string, listener: Listener): RotationClock;
  removeListener(event: string, listener: Listener): RotationClock;
  listenerCount(event: string, listener?: Listener): number;
}

const clocks = new Map<number, RotationClock>();

/**
 * The shared rotation clock for buckets of `intervalMs`. Its interval starts with the first
 * breaker and stops with the last, and is unref'd so it never keeps a process alive.
 */
export function rotationClock(intervalMs: number): RotationClock {
  const existing = clocks.get(intervalMs);
  if (existing) return existing;
  const listeners = new Set<Listener>();
  let timer: ReturnType<typeof setInterval> | undefined;
  const clock: RotationClock = {
    on(_event, listener) {
      listeners.add(listener);
      if (timer === undefined) {
        timer = setInterval(() => {
          for (const rotate of listeners) rotate();
        }, intervalMs);
        (timer as { unref?: () => void }).unref?.();
      }
      return clock;
    },
    removeListener(_event, listener) {
      listeners.delete(listener);
      if (listeners.size === 0 && timer !== undefined) {
        clearInterval(timer);
        timer = undefined;
        clocks.delete(intervalMs);
      }
      return clock;
    },
    listenerCount(_event, listener) {
      if (listener === undefined) return listeners.size;
      return listeners.has(listener) ? 1 : 0;
    },
  };
  clocks.set(intervalMs, clock);
  return clock;
}
