import { describe, expect, it, vi } from 'vitest';
import { afterPromiseJobs } from './_schedule';

describe('afterPromiseJobs', () => {
  it('runs after promise jobs queued in the same tick', async () => {
    const order: string[] = [];
    afterPromiseJobs(() => order.push('dispatch'));
    void Promise.resolve().then(() => order.push('job'));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(order).toEqual(['job', 'dispatch']);
  });

  it('falls back to a timer without process.nextTick', () => {
    vi.useFakeTimers();
    try {
      const fn = vi.fn();
      afterPromiseJobs(fn, null);
      expect(fn).not.toHaveBeenCalled();
      vi.advanceTimersByTime(0);
      expect(fn).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
