/** The Redis tier against the real Redis on 127.0.0.1:6379, with both clients. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRedisTier } from '../src/redis/index';
import type { RemoteTier } from '../src/index';
import { CLIENT_KINDS, cleanup, connect, uniquePrefix } from './_redis';
import type { TestClient } from './_redis';

describe.each(CLIENT_KINDS)('createRedisTier with %s', (kind) => {
  let redis: TestClient;
  let tier: RemoteTier;
  const prefix = uniquePrefix();

  beforeAll(async () => {
    redis = await connect(kind);
    tier = createRedisTier({ client: redis.client, prefix });
  });

  afterAll(async () => {
    await cleanup(redis.raw, prefix);
    await redis.close();
  });

  it('writes with an expiry and reads one or many keys', async () => {
    await tier.set('a', 'A', 10_000, []);
    await tier.set('b', 'B', 10_000, []);
    expect(await tier.get('a')).toBe('A');
    expect(await tier.get('missing')).toBeNull();
    expect(await tier.getMany(['a', 'missing', 'b'])).toEqual(['A', null, 'B']);
    const ttl = Number(await redis.raw(['PTTL', `${prefix}a`]));
    expect(ttl).toBeGreaterThan(9_000);
    expect(ttl).toBeLessThanOrEqual(10_000);
    await tier.delete(['a', 'b']);
    expect(await tier.getMany(['a', 'b'])).toEqual([null, null]);
  });

  it('indexes keys by tag and deletes them by tag', async () => {
    await tier.set('t1', 'x', 10_000, ['red', 'blue']);
    await tier.set('t2', 'y', 20_000, ['blue']);
    await tier.set('t3', 'z', 10_000, ['green']);
    expect(Number(await redis.raw(['PTTL', `${prefix}~tag:blue`]))).toBeGreaterThan(19_000);
    await tier.deleteTags(['blue']);
    expect(await tier.getMany(['t1', 't2', 't3'])).toEqual([null, null, 'z']);
    expect(await redis.raw(['EXISTS', `${prefix}~tag:blue`])).toBe(0);
  });

  it('clears keys by prefix, escaping glob characters', async () => {
    await tier.set('ns*:1', '1', 10_000, []);
    await tier.set('ns*:2', '2', 10_000, []);
    await tier.set('nsx:1', 'x', 10_000, []);
    await tier.clear('ns*:');
    expect(await tier.getMany(['ns*:1', 'ns*:2', 'nsx:1'])).toEqual([null, null, 'x']);
    await tier.clear('');
    expect(await tier.get('nsx:1')).toBeNull();
  });

  it('hands a lease to one holder at a time', async () => {
    expect(await tier.acquireLease('k', 'one', 5_000)).toBe(true);
    expect(await tier.acquireLease('k', 'two', 5_000)).toBe(false);
    await tier.releaseLease('k', 'two');
    expect(await tier.acquireLease('k', 'two', 5_000)).toBe(false);
    await tier.releaseLease('k', 'one');
    expect(await tier.acquireLease('k', 'two', 5_000)).toBe(true);
    await tier.releaseLease('k', 'two');
  });

  it('publishes and receives bus messages', async () => {
    const received = vi.fn();
    const status = vi.fn();
    const close = tier.subscribe(received, status);
    await vi.waitFor(() => {
      expect(status).toHaveBeenCalledWith(true);
    });
    await tier.publish('hello');
    await vi.waitFor(() => {
      expect(received).toHaveBeenCalledWith('hello');
    });
    await close();
  });
});
