/**
 * Two cache instances sharing the real Redis, with both clients: the shared tier, the
 * invalidation bus, cross-instance single flight, the serializer's version check, and what
 * happens while the bus is down.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCache, createSerializer } from '../src/index';
import type { Cache, CacheHooks, CacheOptions, RemoteTier } from '../src/index';
import { createRedisTier } from '../src/redis/index';
import { CLIENT_KINDS, cleanup, connect, uniquePrefix } from './_redis';
import type { TestClient } from './_redis';

describe.each(CLIENT_KINDS)('two instances over Redis with %s', (kind) => {
  let redis: TestClient;
  const prefix = uniquePrefix();
  const open: Cache[] = [];

  /** A cache on its own tier object (as another process would have), with its bus up. */
  async function instance(
    options: Omit<CacheOptions, 'remote'> = {},
    tierOptions: { version?: string } = {},
  ): Promise<{ cache: Cache; hooks: { [K in keyof CacheHooks]: ReturnType<typeof vi.fn> } }> {
    const hooks = {
      hit: vi.fn(),
      miss: vi.fn(),
      staleServed: vi.fn(),
      loaded: vi.fn(),
      leaseWait: vi.fn(),
      evicted: vi.fn(),
      error: vi.fn(),
      busUp: vi.fn(),
      busDown: vi.fn(),
      busMessage: vi.fn(),
    };
    const remote = createRedisTier({
      client: redis.client,
      prefix,
      serializer: createSerializer({ version: tierOptions.version ?? '1' }),
    });
    const cache = createCache({ ...options, remote, hooks });
    open.push(cache);
    await vi.waitFor(() => {
      expect(hooks.busUp).toHaveBeenCalled();
    });
    return { cache, hooks };
  }

  beforeAll(async () => {
    redis = await connect(kind);
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((cache) => cache.close()));
  });

  afterAll(async () => {
    await cleanup(redis.raw, prefix);
    await redis.close();
  });

  it('reads what another instance wrote, with the same shape as in process', async () => {
    const a = await instance({ namespace: 'shape' });
    const b = await instance({ namespace: 'shape' });
    const value = {
      at: new Date(1_700_000_000_000),
      id: 2n ** 70n,
      roles: new Set(['admin']),
      scores: new Map([['x', [1, undefined, null]]]),
      missing: undefined,
      none: null,
    };
    await a.cache.set('user', value);
    expect(await b.cache.get('user')).toStrictEqual(await a.cache.get('user'));
    expect(b.hooks.hit).toHaveBeenCalledWith({ key: 'shape:user', tier: 'redis' });
    expect(await b.cache.get('user')).toStrictEqual(value);
    expect(b.hooks.hit).toHaveBeenLastCalledWith({ key: 'shape:user', tier: 'memory' });
  });

  it('sees a set on the other instance at its next read', async () => {
    const a = await instance({ namespace: 'inv' });
    const b = await instance({ namespace: 'inv' });
    await a.cache.set('k', 'v1');
    expect(await b.cache.get('k')).toBe('v1');
    await vi.waitFor(() => {
      expect(b.hooks.busMessage).toHaveBeenCalledTimes(1);
    });
    await a.cache.set('k', 'v2');
    await vi.waitFor(() => {
      expect(b.hooks.busMessage).toHaveBeenCalledTimes(2);
    });
    expect(b.hooks.busMessage).toHaveBeenLastCalledWith({ kind: 'drop', keys: ['inv:k'] });
    expect(await b.cache.get('k')).toBe('v2');
    await a.cache.delete('k');
    await vi.waitFor(() => {
      expect(b.hooks.busMessage).toHaveBeenCalledTimes(3);
    });
    expect(await b.cache.get('k')).toBeUndefined();
  });

  it('sees a tag invalidation on the other instance at its next read', async () => {
    const a = await instance({ namespace: 'tags' });
    const b = await instance({ namespace: 'tags' });
    await a.cache.set('p1', 'one', { tags: ['project:1'] });
    await a.cache.set('p2', 'two', { tags: ['project:2'] });
    expect(await b.cache.getMany(['p1', 'p2'])).toEqual(['one', 'two']);
    await a.cache.invalidateTags(['project:1']);
    await vi.waitFor(() => {
      expect(b.hooks.busMessage).toHaveBeenCalledWith({ kind: 'tags', keys: ['project:1'] });
    });
    expect(await b.cache.getMany(['p1', 'p2'])).toEqual([undefined, 'two']);
    expect(await a.cache.get('p1')).toBeUndefined();
  });

  it('sees a namespace clear on the other instance', async () => {
    const a = await instance({ namespace: 'clr' });
    const b = await instance({ namespace: 'clr' });
    await a.cache.namespace('x').set('1', 1);
    await a.cache.namespace('y').set('1', 1);
    expect(await b.cache.namespace('x').get('1')).toBe(1);
    await a.cache.namespace('x').clear();
    await vi.waitFor(() => {
      expect(b.hooks.busMessage).toHaveBeenCalledWith({ kind: 'clear', keys: ['clr:x:'] });
    });
    expect(await b.cache.namespace('x').get('1')).toBeUndefined();
    expect(await b.cache.namespace('y').get('1')).toBe(1);
  });

  it('reads many keys with in-process hits first and one MGET for the rest', async () => {
    const a = await instance({ namespace: 'many' });
    const b = await instance({ namespace: 'many' });
    await a.cache.setMany([
      { key: '1', value: 1 },
      { key: '2', value: 2 },
      { key: '3', value: null },
    ]);
    await b.cache.get('1');
    const spy = vi.spyOn(redis.client, kind === 'ioredis' ? 'call' : 'sendCommand');
    expect(await b.cache.getMany(['1', '2', '3', '4'])).toEqual([1, 2, null, undefined]);
    const commands = spy.mock.calls.map((call) =>
      String(kind === 'ioredis' ? call[0] : (call[0] as unknown as string[])[0]),
    );
    expect(commands).toEqual(['MGET']);
  });

  it('runs one loader for concurrent misses on both instances', async () => {
    const a = await instance({ namespace: 'flight' });
    const b = await instance({ namespace: 'flight' });
    const loader = vi.fn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return 'loaded';
    });
    const calls = Array.from({ length: 100 }, (_, i) =>
      (i % 2 === 0 ? a : b).cache.getOrSet('cold', loader),
    );
    expect(new Set(await Promise.all(calls))).toEqual(new Set(['loaded']));
    expect(loader).toHaveBeenCalledTimes(1);
    // The other instance waited on the lease (or, on a slow machine, found the value).
    expect(
      a.hooks.leaseWait.mock.calls.length + b.hooks.leaseWait.mock.calls.length,
    ).toBeLessThanOrEqual(1);
  });

  it('loads itself when the lease holder never delivers', async () => {
    const a = await instance({ namespace: 'lease', leaseTtl: 300, leasePollInterval: 20 });
    await redis.raw(['SET', `${prefix}~lease:lease:k`, 'someone-else', 'PX', '10000']);
    expect(await a.cache.getOrSet('k', () => 'mine')).toBe('mine');
    expect(a.hooks.leaseWait).toHaveBeenCalledTimes(1);
  });

  it('reads entries of another serializer version as misses', async () => {
    const oldDeploy = await instance({ namespace: 'ver' }, { version: 'v1' });
    const newDeploy = await instance({ namespace: 'ver' }, { version: 'v2' });
    await oldDeploy.cache.set('k', { shape: 'old' });
    expect(await newDeploy.cache.get('k')).toBeUndefined();
    expect(await newDeploy.cache.getOrSet('k', () => ({ shape: 'new' }))).toEqual({
      shape: 'new',
    });
  });

  it('serves a stale Redis entry when the loader fails', async () => {
    let time = Date.now();
    const a = await instance({ namespace: 'stale', now: () => time });
    const b = await instance({ namespace: 'stale', now: () => time });
    await a.cache.set('k', 'old', { ttl: 1_000, staleIfError: 60_000 });
    time += 5_000;
    expect(await b.cache.getOrSet('k', () => Promise.reject(new Error('down')))).toBe('old');
    expect(b.hooks.staleServed).toHaveBeenCalledWith({ key: 'stale:k', reason: 'error' });
  });

  it('serves the stale Redis entry even when an invalidation drops the local copy mid-load', async () => {
    let time = Date.now();
    const a = await instance({ namespace: 'late', now: () => time });
    const b = await instance({ namespace: 'late', now: () => time });
    await a.cache.set('k', 'old', { ttl: 1_000, staleIfError: 60_000 });
    time += 5_000;
    const value = await b.cache.getOrSet('k', async () => {
      // Another instance's invalidation of this key arrives while the loader runs.
      await redis.raw([
        'PUBLISH',
        `${prefix}~bus`,
        JSON.stringify({ i: 'another-instance', o: 'drop', k: ['late:k'] }),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      throw new Error('down');
    });
    expect(value).toBe('old');
    expect(b.hooks.staleServed).toHaveBeenCalledWith({ key: 'late:k', reason: 'error' });
  });

  it('reports an unserializable value and keeps it in process', async () => {
    const a = await instance({ namespace: 'ser' });
    const fn = () => 1;
    await a.cache.set('k', fn);
    expect(await a.cache.get('k')).toBe(fn);
    expect(a.hooks.error).toHaveBeenCalledWith(
      expect.objectContaining({ operation: 'serialize', key: 'ser:k' }),
    );
  });
});

describe('while the bus is down', () => {
  let redis: TestClient;
  const prefix = uniquePrefix();

  beforeAll(async () => {
    redis = await connect('ioredis');
  });

  afterAll(async () => {
    await cleanup(redis.raw, prefix);
    await redis.close();
  });

  /** The real tier, with the bus status under the test's control. */
  function controlledBus(): { remote: RemoteTier; setUp: (up: boolean) => void } {
    const real = createRedisTier({ client: redis.client, prefix });
    let report: (up: boolean) => void = () => undefined;
    return {
      remote: {
        ...real,
        subscribe: (onMessage, onStatus) => {
          report = onStatus;
          return real.subscribe(onMessage, () => undefined);
        },
      },
      setUp: (up) => {
        report(up);
      },
    };
  }

  it('keeps in-process entries at most busDownTtl, and distrusts them after reconnect', async () => {
    let time = 1_000_000;
    const hooks = { busUp: vi.fn(), busDown: vi.fn(), staleServed: vi.fn() };
    const bus = controlledBus();
    const cache = createCache({
      namespace: 'down',
      remote: bus.remote,
      busDownTtl: 100,
      ttl: 60_000,
      staleIfError: 60_000,
      now: () => time,
      hooks,
    });
    // Before the bus first connects, entries are short-lived too.
    await cache.set('early', 1);
    const loads = vi.fn(() => 'reloaded');
    time += 150;
    await redis.raw(['DEL', `${prefix}down:early`]);
    expect(await cache.getOrSet('early', loads)).toBe('reloaded');

    bus.setUp(true);
    expect(hooks.busUp).toHaveBeenCalledWith({ reconnect: false });
    await cache.set('k', 'v');
    time += 150;
    expect(await cache.getOrSet('k', loads)).toBe('v');

    bus.setUp(false);
    expect(hooks.busDown).toHaveBeenCalledTimes(1);
    await cache.set('k', 'v');
    time += 99;
    const memoryOnly = vi.spyOn(bus.remote, 'get');
    expect(await cache.get('k')).toBe('v');
    expect(memoryOnly).not.toHaveBeenCalled();
    time += 1;
    expect(await cache.get('k')).toBe('v'); // from Redis now, not from the process
    expect(memoryOnly).toHaveBeenCalledTimes(1);

    bus.setUp(true);
    expect(hooks.busUp).toHaveBeenLastCalledWith({ reconnect: true });
    // Written before the reconnect: stale, so a failing loader falls back to it.
    await redis.raw(['DEL', `${prefix}down:k`]);
    expect(await cache.getOrSet('k', () => Promise.reject(new Error('down')))).toBe('v');
    expect(hooks.staleServed).toHaveBeenCalledWith({ key: 'down:k', reason: 'error' });
    await cache.close();
  });

  it('ignores malformed bus messages and its own', async () => {
    const error = vi.fn();
    const busMessage = vi.fn();
    const busUp = vi.fn();
    const cache = createCache({
      remote: createRedisTier({ client: redis.client, prefix }),
      hooks: { error, busMessage, busUp },
    });
    await vi.waitFor(() => {
      expect(busUp).toHaveBeenCalled();
    });
    await redis.raw(['PUBLISH', `${prefix}~bus`, 'not json']);
    await redis.raw(['PUBLISH', `${prefix}~bus`, '{"o":"drop"}']);
    await cache.set('own', 1);
    await vi.waitFor(() => {
      expect(error).toHaveBeenCalledWith(expect.objectContaining({ operation: 'bus' }));
    });
    expect(busMessage).not.toHaveBeenCalled();
    await cache.close();
    await cache.close();
  });
});
