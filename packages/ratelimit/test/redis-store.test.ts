/**
 * The Redis store against a Redis of the test's own: one EVALSHA per decision (counted by
 * Redis itself), the script reloaded after SCRIPT FLUSH, server time, hash-tagged keys, and
 * clear errors for clients it cannot use.
 */
import { ConfigurationError } from '@arm/errors';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../src/limiter';
import { createRedisStore } from '../src/stores/redis';
import { ownRedis } from '@arm/test-redis';
import type { OwnRedis } from '@arm/test-redis';

let redis: OwnRedis;
let client: Redis;

beforeAll(async () => {
  redis = await ownRedis();
  await redis.start();
  client = new Redis(redis.url);
});
afterAll(async () => {
  await client.quit();
  await redis.kill();
});

/** Calls per command, from Redis's own INFO commandstats. */
async function commandStats(): Promise<Record<string, number>> {
  const info = await client.info('commandstats');
  return Object.fromEntries(
    [...info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)].map((m) => [m[1] as string, Number(m[2])]),
  );
}

describe('Redis store', () => {
  it('sends exactly one command per decision, whatever the number of policies', async () => {
    const limiter = createRateLimiter({
      tier: 'api',
      store: createRedisStore({ client: new Redis(redis.url) }),
    });
    await limiter.consume('warm-up');
    await client.config('RESETSTAT');
    for (let i = 0; i < 200; i++) await limiter.consume(`key-${i % 7}`);
    const stats = await commandStats();
    expect(stats.evalsha).toBe(200);
    // Everything else Redis ran came from inside the script (and this INFO call's CONFIG).
    const outside = Object.entries(stats).filter(
      ([name]) => !['evalsha', 'time', 'get', 'set', 'config'].includes(name),
    );
    expect(outside).toEqual([]);
    // Inside the script: TIME, GET and one SET with its expiry (PX), nothing else.
    expect([stats.time, stats.get, stats.set]).toEqual([200, 200, 200]);
  });

  it('loads the script again when Redis has forgotten it', async () => {
    const limiter = createRateLimiter({
      policies: { limit: 5, windowMs: 60_000 },
      store: createRedisStore({ client }),
    });
    expect((await limiter.consume('reload')).remaining).toBe(4);
    await client.script('FLUSH');
    const after = await limiter.consume('reload');
    expect(after).toMatchObject({ source: 'store', remaining: 3 });
  });

  it('keeps all of a key in one hash slot, under the configured prefix', async () => {
    const limiter = createRateLimiter({
      name: 'slots',
      policies: { limit: 5, windowMs: 60_000 },
      store: createRedisStore({ client, prefix: 'app:rl:' }),
    });
    await limiter.consume('user:7');
    expect(await client.exists('app:rl:{slots:user:7}')).toBe(1);
    const ttl = await client.pttl('app:rl:{slots:user:7}');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it("sets a key's TTL only when its state needs a later one, at a whole second", async () => {
    /** When a key expires, in Redis's own milliseconds (TIME and PTTL in one transaction). */
    const expiresAt = async (key: string) => {
      const [[, time], [, pttl]] = (await client.multi().time().pttl(key).exec()) as [
        [null, [string, string]],
        [null, number],
      ];
      return Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000) + pttl;
    };
    const fixed = createRateLimiter({
      name: 'ttl',
      policies: { algorithm: 'fixed-window', limit: 5, windowMs: 60_000 },
      store: createRedisStore({ client }),
    });
    await fixed.consume('a');
    // The window's state matters for a minute; its end is rounded up to a whole second.
    expect([0, 1, 999]).toContain((await expiresAt('arm:rl:{ttl:a}')) % 1000);
    expect(await client.pttl('arm:rl:{ttl:a}')).toBeGreaterThan(59_000);
    expect(await client.pttl('arm:rl:{ttl:a}')).toBeLessThanOrEqual(61_000);
    // A request in the same window needs no later expiry: the key keeps its TTL, whoever set it.
    await client.pexpire('arm:rl:{ttl:a}', 200_000);
    await fixed.consume('a');
    expect(await client.pttl('arm:rl:{ttl:a}')).toBeGreaterThan(199_000);

    const gcra = createRateLimiter({
      name: 'ttl',
      policies: { algorithm: 'gcra', limit: 5, windowMs: 60_000 },
      store: createRedisStore({ client }),
    });
    // One request of 5 per minute matters for 12 s; each one more moves the expiry later.
    await gcra.consume('b');
    expect(await client.pttl('arm:rl:{ttl:b}')).toBeLessThanOrEqual(13_000);
    for (let i = 0; i < 4; i++) await gcra.consume('b');
    expect(await client.pttl('arm:rl:{ttl:b}')).toBeGreaterThan(59_000);
    expect([0, 1, 999]).toContain((await expiresAt('arm:rl:{ttl:b}')) % 1000);
  });

  it('answers exactly when remaining and resetMs do not fit one integer reply', async () => {
    // An allowed one-policy consume comes back as resetMs * (burst + 1) + remaining while that
    // stays below 2^53, and as the two numbers beyond it.
    for (const limit of [1_000, 2 ** 40]) {
      const limiter = createRateLimiter({
        name: `packed-${limit}`,
        policies: { algorithm: 'fixed-window', limit, windowMs: 60_000 },
        store: createRedisStore({ client }),
      });
      for (let i = 1; i <= 3; i++) {
        const result = await limiter.consume('k');
        expect(result.remaining).toBe(limit - i);
        expect(result.resetMs).toBeGreaterThan(58_000);
        expect(result.resetMs).toBeLessThanOrEqual(60_000);
      }
    }
  });

  it('reads the replies of a client that answers numbers as strings', async () => {
    const strings = new Redis(redis.url, { stringNumbers: true });
    try {
      const limiter = createRateLimiter({
        name: 'string-numbers',
        policies: [{ algorithm: 'gcra', limit: 3, windowMs: 60_000 }],
        store: createRedisStore({ client: strings }),
        failure: 'closed',
      });
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await limiter.consume('k'));
      expect(results.map((r) => [r.allowed, r.remaining, r.source])).toEqual([
        [true, 2, 'store'],
        [true, 1, 'store'],
        [true, 0, 'store'],
        [false, 0, 'store'],
      ]);
    } finally {
      strings.disconnect();
    }
  });

  it('works with node-redis the same way', async () => {
    const nodeClient = createClient({ url: redis.url });
    await nodeClient.connect();
    try {
      const limiter = createRateLimiter({
        name: 'node',
        policies: { limit: 2, windowMs: 60_000 },
        store: createRedisStore({ client: nodeClient }),
      });
      expect((await limiter.consume('k')).remaining).toBe(1);
      await nodeClient.scriptFlush();
      expect((await limiter.consume('k')).remaining).toBe(0);
      expect((await limiter.consume('k')).allowed).toBe(false);
    } finally {
      await nodeClient.quit();
    }
  });

  it('passes other Redis errors on to the limiter, which applies its failure mode', async () => {
    const errors: unknown[] = [];
    const broken = {
      evalsha: () => Promise.reject(new Error('WRONGTYPE')),
      script: () => Promise.resolve('sha'),
    };
    const limiter = createRateLimiter({
      policies: { limit: 1, windowMs: 1_000 },
      store: createRedisStore({ client: broken }),
      failure: 'closed',
      hooks: { storeError: ({ error }) => errors.push(error) },
    });
    expect((await limiter.consume('k')).source).toBe('fail-closed');
    expect(String(errors[0])).toContain('WRONGTYPE');
  });

  it('rejects a reply it does not understand', async () => {
    const odd = { evalsha: () => Promise.resolve('OK'), script: () => Promise.resolve('sha') };
    const store = createRedisStore({ client: odd });
    await expect(
      Promise.resolve(
        store.apply({ kind: 'reset', namespace: 'conformance', key: 'k', policies: [] }),
      ),
    ).rejects.toThrow(/unexpected reply/);
  });

  it('fails at start-up on a client it cannot use', () => {
    for (const client of [null, {}, { get: () => undefined }]) {
      expect(() => createRedisStore({ client: client as never })).toThrow(ConfigurationError);
    }
    expect(() => createRedisStore({ client: {} as never })).toThrow(
      /must be an ioredis or node-redis client/,
    );
  });

  it('retries a failed script load on the next call', async () => {
    let loads = 0;
    const flaky = {
      evalsha: () => Promise.resolve([0, 0]),
      script: () => (++loads === 1 ? Promise.reject(new Error('LOADING')) : Promise.resolve('sha')),
    };
    const store = createRedisStore({ client: flaky });
    await expect(
      Promise.resolve(
        store.apply({ kind: 'reset', namespace: 'conformance', key: 'k', policies: [] }),
      ),
    ).rejects.toThrow('LOADING');
    await expect(
      Promise.resolve(
        store.apply({ kind: 'reset', namespace: 'conformance', key: 'k', policies: [] }),
      ),
    ).resolves.toEqual({ policies: [], blockedMs: 0 });
    expect(loads).toBe(2);
  });
});
