/**
 * Store trouble with a real Redis of the test's own: killed mid-run, paused (a hang), and
 * restarted. Each failure mode behaves as documented, nothing rejects unhandled, and the
 * limiter goes back to Redis by itself.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../src/limiter';
import type { FailureMode, RateLimitHooks } from '../src/limiter';
import type { RateLimitResult } from '../src/result';
import { createRedisStore } from '../src/stores/redis';
import { ownRedis } from '@arm/test-redis';
import type { OwnRedis } from '@arm/test-redis';

let redis: OwnRedis;
let client: Redis;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  redis = await ownRedis();
  await redis.start();
  process.on('unhandledRejection', onUnhandled);
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await redis.kill();
});
beforeEach(async () => {
  if (!(await isUp())) await redis.start();
  client = new Redis(redis.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => 50,
  });
  client.on('error', () => undefined);
  await new Promise((resolve) => client.once('ready', resolve));
});
afterEach(() => {
  client.disconnect();
  expect(unhandled).toEqual([]);
});

async function isUp(): Promise<boolean> {
  const probe = new Redis(redis.url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

function limiterWith(failure: FailureMode, events: string[]) {
  const hooks: Partial<RateLimitHooks> = {
    storeError: ({ mode }) => events.push(`error:${mode}`),
    fallbackStart: () => events.push('fallback-start'),
    fallbackEnd: () => events.push('fallback-end'),
  };
  return createRateLimiter({
    name: `faults-${failure}-${Math.random().toString(36).slice(2)}`,
    policies: { algorithm: 'fixed-window', limit: 3, windowMs: 60_000 },
    store: createRedisStore({ client }),
    failure,
    timeoutMs: 300,
    fallback: { probeIntervalMs: 200 },
    hooks,
  });
}

async function waitUntilReady(): Promise<void> {
  for (let i = 0; i < 200 && client.status !== 'ready'; i++)
    await new Promise((r) => setTimeout(r, 25));
}

describe('Redis killed mid-run', () => {
  it(
    'fail open: allows without counting while Redis is down, then counts in Redis again',
    { timeout: 20_000 },
    async () => {
      const events: string[] = [];
      const limiter = limiterWith('open', events);
      expect((await limiter.consume('k')).source).toBe('store');
      await redis.kill();
      const down: RateLimitResult[] = [];
      for (let i = 0; i < 6; i++) down.push(await limiter.consume('k'));
      expect(down.every((r) => r.allowed && r.source === 'fail-open')).toBe(true);
      expect(events.filter((e) => e === 'error:open')).toHaveLength(6);
      await redis.start();
      await waitUntilReady();
      const back = await limiter.consume('k');
      expect(back).toMatchObject({ source: 'store', allowed: true, remaining: 2 });
    },
  );

  it(
    'fail closed: denies while Redis is down, then counts in Redis again',
    { timeout: 20_000 },
    async () => {
      const events: string[] = [];
      const limiter = limiterWith('closed', events);
      await redis.kill();
      const denied = await limiter.consume('k');
      expect(denied).toMatchObject({ allowed: false, source: 'fail-closed' });
      expect(denied.retryAfterMs).toBeGreaterThan(0);
      await redis.start();
      await waitUntilReady();
      expect(await limiter.consume('k')).toMatchObject({
        source: 'store',
        allowed: true,
        remaining: 2,
      });
    },
  );

  it(
    'fallback: limits from memory while Redis is down, and returns to Redis by itself',
    { timeout: 20_000 },
    async () => {
      const events: string[] = [];
      const limiter = limiterWith('fallback', events);
      await limiter.consume('k');
      await redis.kill();
      const down: RateLimitResult[] = [];
      for (let i = 0; i < 5; i++) down.push(await limiter.consume('k'));
      expect(down.every((r) => r.source === 'fallback')).toBe(true);
      expect(down.map((r) => r.allowed)).toEqual([true, true, true, false, false]);
      expect(events.filter((e) => e === 'fallback-start')).toHaveLength(1);
      await redis.start();
      await waitUntilReady();
      await new Promise((resolve) => setTimeout(resolve, 250));
      const back = await limiter.consume('k');
      expect(back.source).toBe('store');
      // The restarted Redis kept nothing (no persistence): counting starts again there.
      expect(back.remaining).toBe(2);
      expect(events.at(-1)).toBe('fallback-end');
    },
  );
});

describe('Redis hanging (process paused)', () => {
  it(
    'times out each call, falls back, and keeps deciding within the timeout',
    { timeout: 20_000 },
    async () => {
      const events: string[] = [];
      const hanging = new Redis(redis.url, { maxRetriesPerRequest: null });
      hanging.on('error', () => undefined);
      const paused = createRateLimiter({
        name: `paused-${Math.random().toString(36).slice(2)}`,
        policies: { limit: 10, windowMs: 60_000 },
        store: createRedisStore({ client: hanging }),
        timeoutMs: 200,
        fallback: { probeIntervalMs: 10_000 },
        hooks: {
          storeError: () => events.push('error'),
          fallbackStart: () => events.push('start'),
        },
      });
      await paused.consume('k');
      const pid = redis.pid as number;
      process.kill(pid, 'SIGSTOP');
      try {
        const started = Date.now();
        const first = await paused.consume('k');
        const second = await paused.consume('k');
        expect(first.source).toBe('fallback');
        expect(second.source).toBe('fallback');
        // The first waited for the timeout; the second went straight to the fallback.
        expect(Date.now() - started).toBeLessThan(2_000);
        expect(events).toEqual(['error', 'start']);
      } finally {
        process.kill(pid, 'SIGCONT');
        hanging.disconnect();
      }
    },
  );
});
