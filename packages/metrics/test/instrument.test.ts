/**
 * The instrument* helpers attached to the real @arm/retry, @arm/cache, @arm/ratelimit and
 * @arm/health objects (dev dependencies only: the helpers' types are structural).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '@arm/errors';
import { createCache } from '@arm/cache';
import { createHealth } from '@arm/health';
import { createMemoryStore, createRateLimiter } from '@arm/ratelimit';
import type { RateLimitStore } from '@arm/ratelimit';
import { createCircuitBreaker, createRetryPolicy, createTimeout } from '@arm/retry';
import {
  createMetrics,
  instrumentCache,
  instrumentHealth,
  instrumentRateLimit,
  instrumentRetry,
} from '../src/index';
import type { Metrics } from '../src/index';
import { family, parseExposition } from './prometheus';

const made: Metrics[] = [];
afterEach(() => {
  for (const metrics of made.splice(0)) metrics.close();
});
const make = () => {
  const metrics = createMetrics({ defaultMetrics: false });
  made.push(metrics);
  return metrics;
};
const series = async (metrics: Metrics, name: string) =>
  family(parseExposition((await metrics.expose()).body), name).metrics.map((m) => [
    m.labels,
    m.value ?? m.count,
  ]);

describe('instrumentRetry', () => {
  it('counts attempts, retries, breaker states, rejections and timeouts of real policies', async () => {
    const metrics = make();
    const mine: string[] = [];
    const hooks = instrumentRetry(metrics, {
      hooks: { onRetry: ({ dependency }) => mine.push(dependency) },
    });
    const retry = createRetryPolicy({
      name: 'payments',
      attempts: 3,
      initialDelayMs: 1,
      maxDelayMs: 2,
      hooks,
    });
    let calls = 0;
    await retry.execute(() => {
      calls++;
      if (calls < 3) throw new ServiceUnavailableError();
      return 'ok';
    });
    await expect(retry.execute(() => Promise.reject(new Error('fatal')))).rejects.toThrow('fatal');
    const breaker = createCircuitBreaker({ name: 'payments', volumeThreshold: 1, hooks });
    await breaker
      .execute(() => Promise.reject(new ServiceUnavailableError()))
      .catch(() => undefined);
    await breaker.execute(() => 'never').catch(() => undefined);
    breaker.shutdown();
    const timeout = createTimeout({ ms: 5, name: 'search', hooks });
    await timeout
      .execute(
        ({ signal }) =>
          new Promise((_, reject) => {
            signal.addEventListener('abort', () => {
              reject(signal.reason as Error);
            });
          }),
      )
      .catch(() => undefined);

    expect(await series(metrics, 'arm_retry_attempts_total')).toEqual([
      [{ dependency: 'payments' }, '4'],
    ]);
    expect(await series(metrics, 'arm_retry_retries_total')).toEqual([
      [{ dependency: 'payments', reason: 'retryable-error' }, '2'],
    ]);
    expect(await series(metrics, 'arm_retry_give_ups_total')).toEqual([
      [{ dependency: 'payments', reason: 'not-retryable' }, '1'],
    ]);
    expect(await series(metrics, 'arm_circuit_breaker_state')).toEqual([
      [{ dependency: 'payments' }, '2'],
    ]);
    expect(await series(metrics, 'arm_circuit_breaker_transitions_total')).toEqual([
      [{ dependency: 'payments', to: 'open' }, '1'],
    ]);
    expect(await series(metrics, 'arm_circuit_breaker_rejections_total')).toEqual([
      [{ dependency: 'payments' }, '1'],
    ]);
    expect(await series(metrics, 'arm_timeouts_total')).toEqual([[{ dependency: 'search' }, '1']]);
    expect(mine).toEqual(['payments', 'payments']);
    expect((await metrics.snapshot()).breakers).toEqual({ payments: 'open' });
  });

  it('counts the remaining policy events and caps dependency labels', async () => {
    const metrics = make();
    const hooks = instrumentRetry(metrics);
    hooks.onBudgetExhausted({ dependency: 'a' });
    hooks.onSlowCall({ dependency: 'a' });
    hooks.onBulkheadRejected({ dependency: 'a' });
    hooks.onFallback({ dependency: 'a' });
    hooks.onStateChange({ dependency: 'a', to: 'bogus' as 'open' });
    for (let i = 0; i < 120; i++) hooks.onAttempt({ dependency: `dep-${i}` });
    for (const name of [
      'arm_retry_budget_exhausted_total',
      'arm_circuit_breaker_slow_calls_total',
      'arm_bulkhead_rejections_total',
      'arm_fallbacks_total',
    ]) {
      expect(await series(metrics, name)).toEqual([[{ dependency: 'a' }, '1']]);
    }
    const attempts = await series(metrics, 'arm_retry_attempts_total');
    expect(attempts).toHaveLength(100);
    expect(attempts.at(-1)).toEqual([{ dependency: '__other__' }, '21']);
    expect(() => instrumentRetry({} as Metrics)).toThrow(/needs an object made by createMetrics/);
  });
});

describe('instrumentCache', () => {
  it('counts hits, misses and loads of a real cache', async () => {
    const metrics = make();
    const cache = createCache({
      ttl: 60_000,
      hooks: instrumentCache(metrics, { name: 'products' }),
    });
    await cache.getOrSet('a', () => Promise.resolve(1));
    await cache.getOrSet('a', () => Promise.resolve(2));
    const requests = await series(metrics, 'arm_cache_requests_total');
    expect(requests).toEqual([
      [{ cache: 'products', result: 'miss', tier: 'none' }, '1'],
      [{ cache: 'products', result: 'hit', tier: 'memory' }, '1'],
    ]);
    expect(await series(metrics, 'arm_cache_load_duration_seconds')).toEqual([
      [{ cache: 'products' }, '1'],
    ]);
  });

  it('maps every other cache event to its series', async () => {
    const metrics = make();
    const hooks = instrumentCache(metrics);
    hooks.staleServed({ reason: 'error' });
    hooks.leaseWait({});
    hooks.evicted({ reason: 'expire' });
    hooks.error({ operation: 'redis-get' });
    hooks.busUp({});
    hooks.busDown({});
    hooks.busMessage({ kind: 'tags' });
    expect(await series(metrics, 'arm_cache_requests_total')).toEqual([
      [{ cache: 'default', result: 'stale', tier: 'error' }, '1'],
    ]);
    expect(await series(metrics, 'arm_cache_lease_waits_total')).toEqual([
      [{ cache: 'default' }, '1'],
    ]);
    expect(await series(metrics, 'arm_cache_evictions_total')).toEqual([
      [{ cache: 'default', reason: 'expire' }, '1'],
    ]);
    expect(await series(metrics, 'arm_cache_errors_total')).toEqual([
      [{ cache: 'default', operation: 'redis-get' }, '1'],
    ]);
    expect(await series(metrics, 'arm_cache_bus_up')).toEqual([[{ cache: 'default' }, '0']]);
    expect(await series(metrics, 'arm_cache_bus_messages_total')).toEqual([
      [{ cache: 'default', kind: 'tags' }, '1'],
    ]);
  });
});

describe('instrumentRateLimit', () => {
  it('counts decisions of a real limiter and its store failures', async () => {
    const metrics = make();
    const limiter = createRateLimiter({
      name: 'api',
      policies: { limit: 1, windowMs: 60_000 },
      hooks: instrumentRateLimit(metrics, { name: 'api' }),
    });
    await limiter.consume('k');
    await limiter.consume('k');
    expect(await series(metrics, 'arm_ratelimit_decisions_total')).toEqual([
      [{ limiter: 'api', decision: 'allowed', source: 'store' }, '1'],
      [{ limiter: 'api', decision: 'denied', source: 'store' }, '1'],
    ]);
    const memory = createMemoryStore();
    let down = true;
    const flaky: RateLimitStore = {
      name: 'flaky',
      apply: (operation) =>
        down ? Promise.reject(new Error('down')) : Promise.resolve(memory.apply(operation)),
    };
    const failing = createRateLimiter({
      name: 'flaky',
      policies: { limit: 5, windowMs: 60_000 },
      store: flaky,
      failure: 'fallback',
      hooks: instrumentRateLimit(metrics, { name: 'flaky' }),
    });
    await failing.consume('k');
    expect(await series(metrics, 'arm_ratelimit_store_errors_total')).toEqual([
      [{ limiter: 'flaky', mode: 'fallback' }, '1'],
    ]);
    expect(await series(metrics, 'arm_ratelimit_fallback_active')).toEqual([
      [{ limiter: 'flaky' }, '1'],
    ]);
    down = false;
    instrumentRateLimit(metrics, { name: 'flaky' }).fallbackEnd({});
    expect(await series(metrics, 'arm_ratelimit_fallback_active')).toEqual([
      [{ limiter: 'flaky' }, '0'],
    ]);
  });
});

describe('instrumentHealth', () => {
  it('keeps check statuses and durations of a real health object, and feeds the snapshot', async () => {
    const metrics = make();
    let dbUp = true;
    const health = createHealth({
      checks: {
        db: { check: () => (dbUp ? undefined : Promise.reject(new Error('down'))) },
        search: { critical: false, check: () => Promise.reject(new Error('slow')) },
      },
      hooks: instrumentHealth(metrics),
    });
    metrics.attachHealth(health);
    await health.ready();
    dbUp = false;
    const snapshot = await metrics.snapshot();
    expect(snapshot.checks).toMatchObject({
      db: { critical: true },
      search: { status: 'fail', critical: false },
    });
    expect(snapshot.health).toMatchObject({
      status: expect.stringMatching(/pass|warn|fail/) as unknown,
    });
    const statuses = await series(metrics, 'arm_health_check_status');
    expect(statuses).toContainEqual([{ check: 'search', critical: 'false' }, '2']);
    expect(await series(metrics, 'arm_health_probe_status')).not.toEqual([]);
    expect((await series(metrics, 'arm_health_check_duration_seconds')).length).toBe(2);
    health.stop();
  });
});
