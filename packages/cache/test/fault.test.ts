/**
 * Redis dies mid-run and comes back: reads keep succeeding throughout (in-process hits,
 * loaders), failures go to the error hook, the bus reports down and up, and the shared tier
 * is used again once Redis is back. The Redis is the test's own, never the shared one.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCache } from '../src/index';
import { createRedisTier } from '../src/redis/index';
import { connect } from './_redis';
import type { ClientKind, TestClient } from './_redis';
import { ownRedis } from '@arm/test-redis';
import type { OwnRedis } from '@arm/test-redis';

describe.each<ClientKind>(['ioredis', 'node-redis'])('Redis killed and restarted (%s)', (kind) => {
  let server: OwnRedis;
  let redis: TestClient;

  beforeAll(async () => {
    server = await ownRedis();
    await server.start();
    redis = await connect(kind, server.url);
  });

  afterAll(async () => {
    await redis.close();
    await server.kill();
  });

  it('keeps every read succeeding', { timeout: 60_000 }, async () => {
    const hooks = { error: vi.fn(), busUp: vi.fn(), busDown: vi.fn() };
    const cache = createCache({
      remote: createRedisTier({
        client: redis.client,
        prefix: 'fault:',
        commandTimeout: 200,
        retryAfter: 100,
      }),
      ttl: 60_000,
      busDownTtl: 50,
      hooks,
    });
    await vi.waitFor(
      () => {
        expect(hooks.busUp).toHaveBeenCalled();
      },
      { timeout: 10_000 },
    );
    let loads = 0;
    const loader = ({ key }: { key: string }) => {
      loads += 1;
      return `value of ${key}`;
    };
    const readAll = async () => {
      const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
      const values = await Promise.all(keys.map((key) => cache.getOrSet(key, loader)));
      expect(values).toEqual(keys.map((key) => `value of ${key}`));
      expect(await cache.getMany(keys)).toHaveLength(20);
      await cache.set('written', 1);
      await cache.invalidateTags(['none']);
      await cache.delete('gone');
    };

    await readAll();
    expect(hooks.error).not.toHaveBeenCalled();

    await server.kill();
    for (let round = 0; round < 10; round += 1) {
      await readAll();
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    expect(hooks.error).toHaveBeenCalled();
    await vi.waitFor(() => {
      expect(hooks.busDown).toHaveBeenCalled();
    });

    await server.start();
    await vi.waitFor(
      async () => {
        expect(hooks.busUp).toHaveBeenLastCalledWith({ reconnect: true });
        expect(await redis.raw(['PING'])).toBe('PONG');
      },
      { timeout: 20_000, interval: 100 },
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    await readAll();
    // Redis is used again: what was loaded after the restart is in it.
    expect(await redis.raw(['EXISTS', 'fault:k0'])).toBe(1);
    expect(loads).toBeGreaterThanOrEqual(20);
    await cache.close();
  });
});
