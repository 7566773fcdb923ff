import { getEventListeners } from 'node:events';
import { CircuitOpenError, ServiceUnavailableError, TimeoutError } from '@arm/errors';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBulkhead } from './bulkhead';
import { createCircuitBreaker } from './circuit-breaker';
import type { CircuitBreaker, CircuitBreakerOptions } from './circuit-breaker';
import { fallback } from './fallback';
import { pipeline } from './pipeline';
import type { Policy } from './policy';
import { createRetryPolicy } from './retry';
import { createRetryBudget } from './retry-budget';
import { createTimeout } from './timeout';

const breakers: CircuitBreaker[] = [];
afterEach(() => {
  for (const breaker of breakers.splice(0)) breaker.shutdown();
  vi.useRealTimers();
});

function breaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const made = createCircuitBreaker(options);
  breakers.push(made);
  return made;
}

/** A policy that records when it is entered and left. */
function tracer(name: string, log: string[]): Policy {
  return {
    async execute(fn, options) {
      log.push(`> ${name}`);
      try {
        return await fn({
          signal: options?.signal ?? new AbortController().signal,
          attempt: options?.attempt ?? 1,
          deadline: options?.deadline ?? Infinity,
        });
      } finally {
        log.push(`< ${name}`);
      }
    },
  };
}

describe('pipeline', () => {
  it('runs the first policy outermost and the work innermost', async () => {
    const log: string[] = [];
    const composed = pipeline(tracer('a', log), tracer('b', log), tracer('c', log));
    await composed.execute(() => {
      log.push('work');
    });
    expect(log).toEqual(['> a', '> b', '> c', 'work', '< c', '< b', '< a']);
  });

  it('with no policy runs the work as it is', async () => {
    await expect(pipeline().execute(({ attempt }) => attempt)).resolves.toBe(1);
  });

  it('lets the breaker see every attempt of the retry, and each attempt get its own timeout', async () => {
    vi.useFakeTimers();
    const states: string[] = [];
    const attempts: number[] = [];
    const composed = pipeline(
      createTimeout({ ms: 60_000 }),
      createRetryPolicy({ attempts: 5, jitter: 'none', initialDelayMs: 100 }),
      breaker({
        volumeThreshold: 2,
        resetTimeoutMs: 1_000,
        hooks: { onStateChange: ({ to }) => states.push(to) },
      }),
      createTimeout({ ms: 500 }),
    );
    const work = vi.fn(({ attempt, signal }: { attempt: number; signal: AbortSignal }) => {
      attempts.push(attempt);
      // Attempts 1 and 2 hang until their own timeout; the trial after the open circuit works.
      if (attempt <= 2) {
        return new Promise<string>((_, reject) => {
          signal.addEventListener('abort', () => {
            reject(signal.reason as Error);
          });
        });
      }
      return Promise.resolve(`answered on attempt ${attempt}`);
    });
    const done = composed.execute(work);
    // The breakers' bucket rotation is an endless interval: advance by time, not "all timers".
    await vi.advanceTimersByTimeAsync(10_000);
    // 1: timeout; 2: timeout, circuit opens; 3: rejected by the open circuit (not called), the
    // retry waits for the trial (the open error's Retry-After); 4: the trial succeeds.
    await expect(done).resolves.toBe('answered on attempt 4');
    expect(attempts).toEqual([1, 2, 4]);
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('does not start a retry wait that the overall deadline would cut: the real error comes back', async () => {
    vi.useFakeTimers();
    const onGiveUp = vi.fn();
    const composed = pipeline(
      createTimeout({ ms: 1_000 }),
      createRetryPolicy({
        attempts: 100,
        jitter: 'none',
        initialDelayMs: 300,
        factor: 1,
        hooks: { onGiveUp },
      }),
    );
    const last = new ServiceUnavailableError('still down');
    const work = vi.fn(({ attempt }: { attempt: number }) =>
      Promise.reject(attempt === 4 ? last : new ServiceUnavailableError()),
    );
    const done = composed.execute(work);
    const settled = expect(done).rejects.toBe(last);
    // Attempts at 0, 300, 600, 900; the next wait would end at 1,200, after the deadline.
    await vi.advanceTimersByTimeAsync(900);
    await settled;
    expect(work).toHaveBeenCalledTimes(4);
    expect(onGiveUp).toHaveBeenCalledWith(
      expect.objectContaining({ attempt: 4, reason: 'deadline' }),
    );
    await vi.advanceTimersByTimeAsync(10_000);
    expect(work).toHaveBeenCalledTimes(4);
  });

  it('aborts work still running at the overall deadline with a TimeoutError', async () => {
    vi.useFakeTimers();
    const deadlines: number[] = [];
    const composed = pipeline(
      createTimeout({ ms: 1_000 }),
      createRetryPolicy({ attempts: 3 }),
      createTimeout({ ms: 5_000 }),
    );
    const done = composed.execute(({ deadline }) => {
      deadlines.push(deadline);
      return new Promise(() => undefined);
    });
    const settled = expect(done).rejects.toBeInstanceOf(TimeoutError);
    await vi.advanceTimersByTimeAsync(1_000);
    await settled;
    // The inner timeout's own deadline (5 s) is later: the work sees the earlier one.
    expect(deadlines).toEqual([Date.now()]);
  });

  it('does not retry into an open circuit whose trial is further away than maxRetryAfterMs', async () => {
    const open = breaker({ resetTimeoutMs: 60_000 });
    open.open();
    const work = vi.fn(() => 'never');
    const composed = pipeline(createRetryPolicy({ maxRetryAfterMs: 5_000 }), open);
    await expect(composed.execute(work)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(work).not.toHaveBeenCalled();
  });

  it('puts a fallback outermost', async () => {
    const composed = pipeline(
      fallback(() => 'cached'),
      createRetryPolicy({ attempts: 1 }),
    );
    const result: string = await composed.execute(() => Promise.reject(new Error('down')));
    expect(result).toBe('cached');
  });

  it('never listens on the shared never-aborting signal when the caller gives none', async () => {
    // Regression: 50 concurrent calls without a signal put 50 listeners on the one signal
    // handed down by the retry policy, and Node warned of a leak (found by the benchmark).
    vi.useFakeTimers();
    const warning = vi.fn();
    process.on('warning', warning);
    try {
      let seen: AbortSignal | undefined;
      const composed = pipeline(
        createRetryPolicy({ attempts: 2, jitter: 'none', initialDelayMs: 10 }),
        createBulkhead({ concurrency: 10, queue: 100 }),
        createTimeout({ ms: 1_000 }),
      );
      const calls = Array.from({ length: 50 }, () =>
        composed.execute(({ attempt, signal }) => {
          seen = signal;
          return attempt === 1 ? Promise.reject(new ServiceUnavailableError()) : 'ok';
        }),
      );
      await vi.advanceTimersByTimeAsync(100);
      await expect(Promise.all(calls)).resolves.toHaveLength(50);
      const retried = createRetryPolicy({ attempts: 1 });
      await retried.execute(({ signal }) => {
        seen = signal;
      });
      expect(getEventListeners(seen!, 'abort')).toHaveLength(0);
      await new Promise((resolve) => {
        process.nextTick(resolve);
      });
      expect(warning).not.toHaveBeenCalled();
    } finally {
      process.off('warning', warning);
    }
  });

  it('leaves no listener on a long-lived signal after 10,000 calls (cockatiel #69/#81)', async () => {
    const controller = new AbortController();
    const budget = createRetryBudget();
    const composed = pipeline(
      createTimeout({ ms: 60_000 }),
      createBulkhead({ concurrency: 4, queue: 10_000 }),
      createRetryPolicy({ attempts: 2, initialDelayMs: 0, budget }),
      breaker({ volumeThreshold: 1_000_000 }),
      createTimeout({ ms: 60_000 }),
    );
    const warning = vi.fn();
    process.on('warning', warning);
    try {
      const calls: Promise<number>[] = [];
      for (let index = 0; index < 10_000; index++) {
        calls.push(
          composed.execute(
            ({ attempt }) =>
              attempt === 1 && index % 10 === 0
                ? Promise.reject(new ServiceUnavailableError())
                : Promise.resolve(index),
            { signal: controller.signal },
          ),
        );
        // Keep a few hundred in flight at once, so listeners overlap.
        if (calls.length % 500 === 0) await Promise.all(calls.slice(-500));
      }
      const results = await Promise.all(calls);
      expect(results).toHaveLength(10_000);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      expect(warning).not.toHaveBeenCalled();
    } finally {
      process.off('warning', warning);
    }
  }, 60_000);
});
