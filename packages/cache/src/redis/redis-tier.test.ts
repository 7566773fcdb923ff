import { ConfigurationError, ServiceUnavailableError, TimeoutError } from '@arm/errors';
import { describe, expect, it, vi } from 'vitest';
import { createRedisTier } from './redis-tier';
import type { IoredisClient, NodeRedisClient } from './redis-tier';

function fakeIoredis(call: IoredisClient['call']): IoredisClient {
  return { call, duplicate: () => ({}) as never };
}

describe('createRedisTier: options', () => {
  it('accepts only ioredis or node-redis clients', () => {
    expect(() => createRedisTier({ client: {} as never })).toThrow(ConfigurationError);
    expect(() => createRedisTier({ client: null as never })).toThrow(
      'option "client" must be an ioredis or node-redis client',
    );
    const nodeRedis: NodeRedisClient = { sendCommand: vi.fn(), duplicate: vi.fn() as never };
    expect(createRedisTier({ client: nodeRedis }).bus).toBe(true);
  });

  it('checks its timeouts', () => {
    const client = fakeIoredis(vi.fn());
    expect(() => createRedisTier({ client, commandTimeout: 0 })).toThrow(
      'option "commandTimeout" must be a positive number of milliseconds, got 0',
    );
    expect(() => createRedisTier({ client, retryAfter: -1 })).toThrow('"retryAfter"');
    expect(() => createRedisTier({ client, prefix: 5 as never })).toThrow(
      'option "prefix" must be a string, got 5',
    );
  });
});

describe('createRedisTier: failures', () => {
  it('times a hung command out, then fails fast until retryAfter passes', async () => {
    vi.useFakeTimers();
    try {
      let time = 0;
      const call = vi.fn(() => new Promise<unknown>(() => undefined));
      const tier = createRedisTier({
        client: fakeIoredis(call),
        commandTimeout: 100,
        retryAfter: 1_000,
        now: () => time,
      });
      const hung = tier.get('k');
      const assertion = expect(hung).rejects.toBeInstanceOf(TimeoutError);
      await vi.advanceTimersByTimeAsync(100);
      await assertion;
      await expect(tier.get('k')).rejects.toBeInstanceOf(ServiceUnavailableError);
      expect(call).toHaveBeenCalledTimes(1);
      time = 1_000;
      call.mockResolvedValueOnce('payload');
      expect(await tier.get('k')).toBe('payload');
    } finally {
      vi.useRealTimers();
    }
  });

  it('fails fast after a rejected command', async () => {
    const call = vi.fn().mockRejectedValueOnce(new Error('ECONNREFUSED'));
    const tier = createRedisTier({ client: fakeIoredis(call), retryAfter: 60_000 });
    await expect(tier.delete(['a'])).rejects.toThrow('ECONNREFUSED');
    await expect(tier.publish('m')).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it('skips empty operations and the bus when it is off', async () => {
    const call = vi.fn();
    const tier = createRedisTier({ client: fakeIoredis(call), bus: false });
    expect(await tier.getMany([])).toEqual([]);
    await tier.delete([]);
    await tier.deleteTags([]);
    await tier.publish('m');
    await tier.subscribe(vi.fn(), vi.fn())();
    expect(call).not.toHaveBeenCalled();
  });
});
