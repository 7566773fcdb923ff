/**
 * The default clock of the memory store and the limiter: `Date.now()`, read at most once per
 * millisecond timer tick and at least every 256 reads. On a virtual machine a clock read costs
 * about as much as a whole memory-store decision; lru-cache's `ttlResolution` makes the same
 * trade. Decisions in one synchronous run see time stand still for at most 256 reads or until
 * the event loop reaches its timers, whichever comes first; windows are whole milliseconds, so
 * a busy server loses nothing. Pass `now` to a store or limiter for an exact clock.
 */
let cached = 0;
let reads = 0;

/** `Date.now()`, at most a millisecond timer tick (or 256 reads) old. */
export function coarseNow(): number {
  if (reads > 0) {
    reads--;
    return cached;
  }
  cached = Date.now();
  reads = 255;
  // A timer per read of the clock, not a flag: a flag would stay set forever if the timer
  // were lost (fake timers uninstalled in a test).
  const timer = setTimeout(expire, 1);
  // Never keeps a process alive.
  (timer as { unref?: () => void }).unref?.();
  return cached;
}

function expire(): void {
  reads = 0;
}
