import { getEventListeners } from 'node:events';
import {
  CircuitOpenError,
  ConfigurationError,
  NotFoundError,
  RateLimitError,
  ServiceUnavailableError,
} from '@arm/errors';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRetryBudget } from './retry-budget';
import { createRetryPolicy, retry } from './retry';
import type { RetryOptions } from './retry';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A function that throws the given errors in turn, then answers `'ok'`. */
function failing(...errors: unknown[]): () => Promise<string> {
  return vi.fn(() => {
    const next = errors.shift();
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a thrown non-error on purpose
    return next === undefined ? Promise.resolve('ok') : Promise.reject(next);
  });
}

/** Runs a policy under fake time and records every retry delay. */
interface Run {
  readonly value?: string;
  readonly error?: unknown;
  readonly delays: number[];
}

async function run(fn: () => Promise<string>, options: RetryOptions = {}): Promise<Run> {
  const delays: number[] = [];
  const policy = createRetryPolicy({
    random: () => 0.5,
    ...options,
    hooks: {
      ...options.hooks,
      onRetry: (event) => {
        delays.push(event.delayMs);
        options.hooks?.onRetry?.(event);
      },
    },
  });
  const outcome = policy.execute(fn).then(
    (value): Omit<Run, 'delays'> => ({ value }),
    (error: unknown): Omit<Run, 'delays'> => ({ error }),
  );
  await vi.runAllTimersAsync();
  return { ...(await outcome), delays };
}

const unavailable = (): Error => new ServiceUnavailableError('busy');

describe('createRetryPolicy', () => {
  it('retries retryable errors and answers the first success', async () => {
    const fn = failing(unavailable(), unavailable());
    const { value, delays } = await run(fn, { jitter: 'none' });
    expect(value).toBe('ok');
    expect(fn).toHaveBeenCalledTimes(3);
    expect(delays).toEqual([100, 200]);
  });

  it('makes at most `attempts` calls and throws the last error', async () => {
    const last = unavailable();
    const fn = failing(unavailable(), unavailable(), last);
    const { error } = await run(fn, { attempts: 3 });
    expect(error).toBe(last);
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('waits by full jitter by default', async () => {
    const { delays } = await run(failing(unavailable(), unavailable(), unavailable()), {
      attempts: 4,
    });
    expect(delays).toEqual([50, 100, 200]);
  });

  it('waits by decorrelated jitter, each delay drawn from the previous one', async () => {
    const draws = [0.5, 0.5, 1 - 1e-9];
    const { delays } = await run(failing(unavailable(), unavailable(), unavailable()), {
      attempts: 4,
      jitter: 'decorrelated',
      initialDelayMs: 100,
      maxDelayMs: 1_000,
      random: () => draws.shift() ?? 0,
    });
    // 100 + 0.5 * (300 - 100) = 200; 100 + 0.5 * (600 - 100) = 350; min(1000, 350 * 3) = 1000
    expect(delays).toEqual([200, 350, 1_000]);
  });

  it('really sleeps the delay before the next attempt', async () => {
    const fn = failing(unavailable());
    const policy = createRetryPolicy({ jitter: 'none', initialDelayMs: 1_000 });
    const done = policy.execute(fn);
    await vi.advanceTimersByTimeAsync(999);
    expect(fn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fn).toHaveBeenCalledTimes(2);
    await expect(done).resolves.toBe('ok');
  });

  it('never retries a 4xx other than 429', async () => {
    const notFound = new NotFoundError();
    const fn = failing(notFound);
    const onGiveUp = vi.fn();
    const { error } = await run(fn, { hooks: { onGiveUp } });
    expect(error).toBe(notFound);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(onGiveUp).toHaveBeenCalledWith(
      expect.objectContaining({ attempt: 1, reason: 'not-retryable', error: notFound }),
    );
  });

  it('retries what shouldRetry says, even TypeErrors and thrown strings p-retry would refuse', async () => {
    const bug = new TypeError('flaky');
    const fn = failing(bug, 'a string');
    const shouldRetry = vi.fn(() => true);
    const reasons: string[] = [];
    const { value, delays } = await run(fn, {
      shouldRetry,
      jitter: 'none',
      hooks: { onRetry: ({ reason }) => reasons.push(reason) },
    });
    expect(reasons).toEqual(['custom', 'custom']);
    expect(value).toBe('ok');
    expect(shouldRetry).toHaveBeenNthCalledWith(1, bug, { attempt: 1, elapsedMs: 0 });
    expect(shouldRetry).toHaveBeenNthCalledWith(2, 'a string', { attempt: 2, elapsedMs: 100 });
    expect(delays).toEqual([100, 200]);
  });

  it('throws a non-error value as it was thrown', async () => {
    const { error } = await run(failing('plain string'), { attempts: 1 });
    expect(error).toBe('plain string');
  });

  it('honours Retry-After: the delay is the larger of the backoff and the asked delay', async () => {
    const reasons: string[] = [];
    const { value, delays } = await run(
      failing(new RateLimitError('slow down', { retryAfterMs: 2_000 }), unavailable()),
      { jitter: 'none', hooks: { onRetry: ({ reason }) => reasons.push(reason) } },
    );
    expect(value).toBe('ok');
    expect(delays).toEqual([2_000, 200]);
    expect(reasons).toEqual(['retry-after', 'retryable-error']);
  });

  it('honours an HTTP-date Retry-After with the injected clock', async () => {
    const start = Date.UTC(2026, 0, 1);
    vi.setSystemTime(start);
    const error = Object.assign(new Error('busy'), {
      status: 503,
      headers: { 'retry-after': new Date(start + 5_000).toUTCString() },
    });
    const { delays } = await run(failing(error), { jitter: 'none' });
    expect(delays).toEqual([5_000]);
  });

  it('waits for an open circuit until its trial', async () => {
    const open = new CircuitOpenError('open', {
      retryAfterMs: 7_250,
      details: { retryAfterMs: 7_250 },
    });
    const { delays } = await run(failing(open), { jitter: 'none' });
    expect(delays).toEqual([7_250]);
  });

  it('gives up at once when the asked delay is over maxRetryAfterMs', async () => {
    const slowDown = new RateLimitError('x', { retryAfterMs: 60_000 });
    const onGiveUp = vi.fn();
    const fn = failing(slowDown);
    const { error } = await run(fn, { maxRetryAfterMs: 10_000, hooks: { onGiveUp } });
    expect(error).toBe(slowDown);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(onGiveUp).toHaveBeenCalledWith(
      expect.objectContaining({ reason: 'retry-after-too-long' }),
    );
  });

  it('stops when the next delay would pass maxElapsedMs', async () => {
    const onGiveUp = vi.fn();
    const fn = failing(unavailable(), unavailable(), unavailable(), unavailable());
    const { error, delays } = await run(fn, {
      attempts: 10,
      jitter: 'none',
      initialDelayMs: 100,
      maxElapsedMs: 350,
      hooks: { onGiveUp },
    });
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    // 100 (t=100), 200 (t=300), then 400 would end at 700 > 350.
    expect(delays).toEqual([100, 200]);
    expect(fn).toHaveBeenCalledTimes(3);
    expect(onGiveUp).toHaveBeenCalledWith(expect.objectContaining({ reason: 'deadline' }));
  });

  it('reports every attempt and the give-up when attempts run out', async () => {
    const onAttempt = vi.fn();
    const onGiveUp = vi.fn();
    await run(failing(unavailable(), unavailable()), {
      attempts: 2,
      name: 'payments',
      hooks: { onAttempt, onGiveUp },
    });
    expect(onAttempt.mock.calls).toEqual([
      [{ dependency: 'payments', attempt: 1 }],
      [{ dependency: 'payments', attempt: 2 }],
    ]);
    expect(onGiveUp).toHaveBeenCalledWith(
      expect.objectContaining({ dependency: 'payments', attempt: 2, reason: 'attempts-exhausted' }),
    );
  });

  it('keeps going when a hook throws', async () => {
    const { value } = await run(failing(unavailable()), {
      hooks: {
        onAttempt: () => {
          throw new Error('metrics down');
        },
        onRetry: () => {
          throw new Error('metrics down');
        },
      },
    });
    expect(value).toBe('ok');
  });

  it('hands the attempt number and a never-aborting signal to the work', async () => {
    const seen: [number, boolean][] = [];
    const { value } = await run(
      vi.fn(({ attempt, signal }: { attempt: number; signal: AbortSignal }) => {
        seen.push([attempt, signal.aborted]);
        return attempt < 2 ? Promise.reject(unavailable()) : Promise.resolve('ok');
      }) as never,
    );
    expect(value).toBe('ok');
    expect(seen).toEqual([
      [1, false],
      [2, false],
    ]);
  });
});

describe('retry budget', () => {
  it('fails fast with the original error once the budget is spent, and says so', async () => {
    const onBudgetExhausted = vi.fn();
    const onGiveUp = vi.fn();
    const budget = createRetryBudget({
      ratio: 0,
      minPerSecond: 0.1,
      ttlMs: 10_000,
      name: 'payments',
      hooks: { onBudgetExhausted },
    });
    const policy = { budget, attempts: 5, hooks: { onGiveUp } };
    // The floor allows 0.1 * 10 = 1 retry in the window.
    const first = await run(failing(unavailable(), unavailable()), policy);
    const original = unavailable();
    const fn = failing(original);
    const second = await run(fn, policy);
    expect(first.delays).toHaveLength(1);
    expect(second.error).toBe(original);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(onBudgetExhausted).toHaveBeenCalledWith({
      dependency: 'payments',
      requests: 2,
      retries: 1,
    });
    expect(onGiveUp).toHaveBeenLastCalledWith(
      expect.objectContaining({ dependency: 'payments', reason: 'budget-exhausted' }),
    );
  });
});

describe('cancellation', () => {
  it('stops waiting as soon as the signal aborts, with its reason', async () => {
    const controller = new AbortController();
    const fn = failing(unavailable());
    const policy = createRetryPolicy({ initialDelayMs: 10_000, jitter: 'none' });
    const done = policy.execute(fn, { signal: controller.signal });
    await vi.advanceTimersByTimeAsync(10);
    controller.abort(new Error('client went away'));
    await expect(done).rejects.toThrow('client went away');
    expect(fn).toHaveBeenCalledTimes(1);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('does not start when the signal is already aborted', async () => {
    const fn = failing();
    const done = retry(fn, { signal: AbortSignal.abort(new Error('gone')) });
    await expect(done).rejects.toThrow('gone');
    expect(fn).not.toHaveBeenCalled();
  });

  it('does not retry an attempt that failed because the caller aborted', async () => {
    const controller = new AbortController();
    const onGiveUp = vi.fn();
    const fn = vi.fn(() => {
      controller.abort(new Error('stop'));
      return Promise.reject(unavailable());
    });
    const done = retry(fn, { signal: controller.signal, hooks: { onGiveUp } });
    await expect(done).rejects.toThrow();
    expect(fn).toHaveBeenCalledTimes(1);
    expect(onGiveUp).toHaveBeenCalledWith(expect.objectContaining({ reason: 'aborted' }));
  });

  it('leaves no listener on a long-lived signal after many calls', async () => {
    const controller = new AbortController();
    const policy = createRetryPolicy({ initialDelayMs: 1, jitter: 'none' });
    for (let index = 0; index < 200; index++) {
      const done = policy.execute(failing(unavailable()), { signal: controller.signal });
      await vi.runAllTimersAsync();
      await done;
    }
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});

describe('retry()', () => {
  it('runs a one-off policy', async () => {
    const done = retry(failing(unavailable()), { jitter: 'none' });
    await vi.runAllTimersAsync();
    await expect(done).resolves.toBe('ok');
  });
});

describe('options', () => {
  it.each([
    [{ attempts: 0 }, 'option "attempts" must be an integer of at least 1'],
    [{ attempts: 1.5 }, 'option "attempts" must be an integer'],
    [
      { initialDelayMs: -5 },
      'option "initialDelayMs" must be a non-negative number of milliseconds, got -5',
    ],
    [{ maxDelayMs: Number.NaN }, 'option "maxDelayMs"'],
    [{ factor: 0.5 }, 'option "factor" must be a number of at least 1, got 0.5'],
    [
      { jitter: 'half' },
      'option "jitter" must be one of "none", "full", "decorrelated", got "half"',
    ],
    [{ maxRetryAfterMs: -1 }, 'option "maxRetryAfterMs"'],
    [{ maxElapsedMs: -1 }, 'option "maxElapsedMs"'],
    [{ shouldRetry: true }, 'option "shouldRetry" must be a function, got true'],
    [{ random: 1 }, 'option "random" must be a function'],
  ])('rejects %j', (options, message) => {
    expect(() => createRetryPolicy(options as never)).toThrow(ConfigurationError);
    expect(() => createRetryPolicy(options as never)).toThrow(`[@arm/retry] ${message}`);
  });

  it('accepts attempts: Infinity with a deadline', () => {
    expect(createRetryPolicy({ attempts: Infinity, maxElapsedMs: 1_000 }).name).toBe('default');
  });
});
