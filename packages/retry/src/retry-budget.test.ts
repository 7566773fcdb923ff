import { ConfigurationError } from '@arm/errors';
import { describe, expect, it, vi } from 'vitest';
import { createRetryBudget } from './retry-budget';

function clock(start = 0) {
  let time = start;
  return {
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
  };
}

describe('createRetryBudget', () => {
  it('allows the floor with no traffic: minPerSecond * ttl', () => {
    const { now } = clock();
    const budget = createRetryBudget({ ratio: 0.5, minPerSecond: 1, ttlMs: 3_000, now });
    expect([budget.tryRetry(), budget.tryRetry(), budget.tryRetry(), budget.tryRetry()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it('adds ratio of a retry per request on top of the floor', () => {
    const { now } = clock();
    const budget = createRetryBudget({ ratio: 0.2, minPerSecond: 0, ttlMs: 10_000, now });
    for (let index = 0; index < 10; index++) budget.recordRequest();
    expect(budget.snapshot()).toEqual({ requests: 10, retries: 0, available: 2 });
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
    expect(budget.snapshot()).toEqual({ requests: 10, retries: 2, available: 0 });
  });

  it('forgets requests and retries older than ttl, bucket by bucket', () => {
    const { now, advance } = clock(1_000_000);
    const budget = createRetryBudget({ ratio: 1, minPerSecond: 0, ttlMs: 1_000, now });
    budget.recordRequest();
    advance(500);
    budget.recordRequest();
    expect(budget.tryRetry()).toBe(true);
    expect(budget.snapshot()).toEqual({ requests: 2, retries: 1, available: 1 });
    advance(500);
    // The first request's bucket has expired.
    expect(budget.snapshot()).toEqual({ requests: 1, retries: 1, available: 0 });
    advance(500);
    expect(budget.snapshot()).toEqual({ requests: 0, retries: 0, available: 0 });
    advance(10_000);
    budget.recordRequest();
    expect(budget.snapshot()).toEqual({ requests: 1, retries: 0, available: 1 });
  });

  it('fires onBudgetExhausted with the counts when a retry is refused', () => {
    const onBudgetExhausted = vi.fn();
    const budget = createRetryBudget({
      ratio: 0,
      minPerSecond: 0,
      name: 'payments',
      now: () => 0,
      hooks: { onBudgetExhausted },
    });
    budget.recordRequest();
    expect(budget.tryRetry()).toBe(false);
    expect(onBudgetExhausted).toHaveBeenCalledWith({
      dependency: 'payments',
      requests: 1,
      retries: 0,
    });
  });

  it('defaults to 20 % plus 10 retries per second over 10 s (Finagle)', () => {
    const budget = createRetryBudget({ now: () => 0 });
    expect(budget.name).toBe('default');
    expect(budget.snapshot().available).toBe(100);
  });

  it.each([
    [{ ratio: 1.5 }, 'option "ratio" must be a number from 0 to 1, got 1.5'],
    [{ minPerSecond: -1 }, 'option "minPerSecond"'],
    [{ ttlMs: 0 }, 'option "ttlMs" must be a number of milliseconds of at least 1, got 0'],
    [{ ttlMs: Infinity }, 'option "ttlMs" must be a finite number of milliseconds'],
  ])('rejects %j', (options, message) => {
    expect(() => createRetryBudget(options)).toThrow(ConfigurationError);
    expect(() => createRetryBudget(options)).toThrow(`[@arm/retry] ${message}`);
  });
});
