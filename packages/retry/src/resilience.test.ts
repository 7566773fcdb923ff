import { ConfigurationError, ServiceUnavailableError, TimeoutError } from '@arm/errors';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ResilienceHooks } from './hooks';
import { createResilience } from './resilience';
import type { Resilience } from './resilience';

let resilience: Resilience | undefined;
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  resilience?.shutdown();
  resilience = undefined;
  vi.useRealTimers();
});

describe('createResilience', () => {
  it('builds one pipeline per dependency, once, and shares its breaker and budget', () => {
    resilience = createResilience();
    const payments = resilience.for('payments');
    expect(resilience.for('payments')).toBe(payments);
    expect(payments.name).toBe('payments');
    expect(payments.breaker?.name).toBe('payments');
    expect(payments.budget?.name).toBe('payments');
    expect(resilience.for('search')).not.toBe(payments);
  });

  it('labels every hook event with the dependency', async () => {
    const events: string[] = [];
    const record =
      (kind: string) =>
      ({ dependency }: { dependency: string }): void => {
        events.push(`${kind}:${dependency}`);
      };
    const hooks: Partial<ResilienceHooks> = {
      onAttempt: record('attempt'),
      onRetry: record('retry'),
      onTimeout: record('timeout'),
      onStateChange: record('state'),
    };
    resilience = createResilience({
      defaults: { retry: { attempts: 2, jitter: 'none' }, breaker: { volumeThreshold: 1 } },
      dependencies: { payments: { attemptTimeoutMs: 100 } },
      hooks,
    });
    const done = resilience.for('payments').execute(() => new Promise(() => undefined));
    const settled = expect(done).rejects.toBeDefined();
    // Attempt 1 times out and opens the circuit; attempt 2 is refused by it; 30 s later the
    // circuit half-opens.
    await vi.advanceTimersByTimeAsync(40_000);
    await settled;
    expect(events).toEqual([
      'attempt:payments',
      'timeout:payments',
      'state:payments',
      'retry:payments',
      'attempt:payments',
      'state:payments',
    ]);
  });

  it('merges a dependency over the defaults section by section', async () => {
    const onRetry = vi.fn();
    resilience = createResilience({
      defaults: { retry: { attempts: 5, jitter: 'none', initialDelayMs: 10 }, breaker: false },
      dependencies: { search: { retry: { attempts: 2 } } },
      hooks: { onRetry },
    });
    const work = vi.fn(() => Promise.reject(new ServiceUnavailableError()));
    const done = resilience.for('search').execute(work);
    const settled = expect(done).rejects.toBeInstanceOf(ServiceUnavailableError);
    await vi.advanceTimersByTimeAsync(1_000);
    await settled;
    expect(work).toHaveBeenCalledTimes(2);
    expect(onRetry).toHaveBeenCalledWith(expect.objectContaining({ delayMs: 10 }));
    expect(resilience.for('search').breaker).toBeUndefined();
  });

  it('turns sections off with false, on either side', async () => {
    resilience = createResilience({
      defaults: { retry: false, budget: false, deadlineMs: 1_000 },
      dependencies: {
        cache: { breaker: false, deadlineMs: false },
        queue: { retry: { attempts: 2 }, bulkhead: { concurrency: 1 } },
      },
    });
    const cache = resilience.for('cache');
    expect([cache.breaker, cache.budget]).toEqual([undefined, undefined]);
    const work = vi.fn(() => Promise.reject(new ServiceUnavailableError()));
    await expect(cache.execute(work)).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(work).toHaveBeenCalledTimes(1);
    const queue = resilience.for('queue');
    expect(queue.budget).toBeUndefined();
    await expect(queue.execute(() => 'sent')).resolves.toBe('sent');
  });

  it('applies the overall deadline around the retries', async () => {
    resilience = createResilience({
      defaults: {
        deadlineMs: 500,
        retry: { attempts: 10, jitter: 'none', initialDelayMs: 200, factor: 1 },
        breaker: false,
      },
    });
    const work = vi.fn(() => Promise.reject(new ServiceUnavailableError()));
    const done = resilience.for('slow').execute(work);
    // Attempts at 0, 200 and 400; a wait to 600 would pass the 500 ms deadline.
    const settled = expect(done).rejects.toBeInstanceOf(ServiceUnavailableError);
    await vi.advanceTimersByTimeAsync(400);
    await settled;
    expect(work).toHaveBeenCalledTimes(3);
    const hung = resilience.for('slow').execute(() => new Promise(() => undefined));
    const timedOut = expect(hung).rejects.toBeInstanceOf(TimeoutError);
    await vi.advanceTimersByTimeAsync(500);
    await timedOut;
  });

  it('rejects dependency names that would make bad metric labels', () => {
    expect(() => createResilience({ dependencies: { 'a b': {} } })).toThrow(ConfigurationError);
    resilience = createResilience();
    const registry = resilience;
    expect(() => registry.for('')).toThrow(
      '[@arm/retry] option "dependencies" must be named with 1 to 64 letters, digits, ".", "_" or "-", got ""',
    );
    expect(() => registry.for('x'.repeat(65))).toThrow(ConfigurationError);
  });

  it('checks a dependency options when first used', () => {
    resilience = createResilience({ dependencies: { bad: { attemptTimeoutMs: -1 } } });
    const registry = resilience;
    expect(() => registry.for('bad')).toThrow('[@arm/retry] option "ms"');
  });
});
