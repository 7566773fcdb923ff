import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { coarseNow } from './_clock';

/** Moves the clock on and calls until the new time shows: it must within 256 calls. */
function freshRead(): { time: number; calls: number } {
  const time = Date.now() + 3;
  vi.setSystemTime(time);
  let calls = 0;
  while (calls < 300) {
    calls++;
    if (coarseNow() === time) break;
  }
  return { time, calls };
}

describe('coarseNow', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads the clock at least every 256 calls in a synchronous run', () => {
    expect(freshRead().calls).toBeLessThanOrEqual(256);
    const { time, calls } = freshRead();
    expect(calls).toBe(256);
    expect(coarseNow()).toBe(time);
  });

  it('reads the clock again once the event loop reaches its timers', () => {
    const { time } = freshRead();
    vi.setSystemTime(time + 5);
    expect(coarseNow()).toBe(time);
    vi.advanceTimersByTime(1);
    expect(coarseNow()).toBe(time + 6);
  });
});
