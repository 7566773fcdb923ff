import { AbortedError, ConfigurationError, TimeoutError } from '@arm/errors';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCache } from './cache';
import type { CacheHooks } from './hooks';

function clock(start = 1_000_000) {
  let time = start;
  return {
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
  };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('createCache: basic operations', () => {
  it('sets, gets, checks, deletes and clears', async () => {
    const cache = createCache();
    expect(await cache.get('a')).toBeUndefined();
    await cache.set('a', { n: 1 });
    await cache.set('b', 0);
    await cache.set('c', false);
    expect(await cache.get('a')).toEqual({ n: 1 });
    expect(await cache.get('b')).toBe(0);
    expect(await cache.has('c')).toBe(true);
    await cache.delete('a');
    expect(await cache.has('a')).toBe(false);
    await cache.clear();
    expect(await cache.get('b')).toBeUndefined();
  });

  it('reads the in-process tier synchronously with getLocal', async () => {
    const time = clock();
    const hit = vi.fn();
    const cache = createCache({ ttl: 1_000, now: time.now, hooks: { hit } });
    const users = cache.namespace('users');
    expect(users.getLocal('1')).toBeUndefined();
    expect(hit).not.toHaveBeenCalled();
    await users.set('1', { n: 1 });
    await users.set('2', null);
    expect(users.getLocal('1')).toEqual({ n: 1 });
    expect(users.getLocal('2')).toBeNull();
    expect(cache.getLocal('users:1')).toEqual({ n: 1 });
    expect(hit).toHaveBeenCalledWith({ key: 'users:1', tier: 'memory' });
    time.advance(1_000);
    expect(users.getLocal('1')).toBeUndefined();
  });

  it('treats set(key, undefined) as delete', async () => {
    const cache = createCache();
    await cache.set('a', 1);
    await cache.set('a', undefined);
    expect(await cache.has('a')).toBe(false);
  });

  it('expires entries after their ttl', async () => {
    const time = clock();
    const cache = createCache({ ttl: 1_000, now: time.now });
    await cache.set('a', 1);
    await cache.set('b', 2, { ttl: 5_000 });
    time.advance(999);
    expect(await cache.get('a')).toBe(1);
    time.advance(1);
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.get('b')).toBe(2);
  });

  it('reads and writes many keys', async () => {
    const cache = createCache();
    await cache.setMany([
      { key: 'a', value: 1 },
      { key: 'b', value: null, options: { ttl: 10_000 } },
      { key: 'c', value: undefined },
    ]);
    expect(await cache.getMany(['a', 'b', 'c', 'd'])).toEqual([1, null, undefined, undefined]);
    expect(await cache.getMany(['a'])).toEqual([1]);
  });

  it('keeps namespaces apart and clears only its own', async () => {
    const cache = createCache({ namespace: 'app' });
    const users = cache.namespace('users');
    const posts = cache.namespace('posts');
    expect(users.prefix).toBe('app:users:');
    await users.set('1', 'ada');
    await posts.set('1', 'hello');
    expect(await users.get('1')).toBe('ada');
    await users.clear();
    expect(await users.get('1')).toBeUndefined();
    expect(await posts.get('1')).toBe('hello');
    expect(() => cache.namespace('')).toThrow(ConfigurationError);
  });

  it('rejects calls whose signal already aborted', async () => {
    const cache = createCache();
    const signal = AbortSignal.abort();
    await expect(cache.get('a', { signal })).rejects.toBeInstanceOf(AbortedError);
    await expect(cache.getMany(['a'], { signal })).rejects.toBeInstanceOf(AbortedError);
    await expect(cache.set('a', 1, { signal })).rejects.toBeInstanceOf(AbortedError);
    await expect(cache.setMany([], { signal })).rejects.toBeInstanceOf(AbortedError);
    await expect(cache.delete('a', { signal })).rejects.toBeInstanceOf(AbortedError);
    await expect(cache.clear({ signal })).rejects.toBeInstanceOf(AbortedError);
    await expect(cache.invalidateTags(['t'], { signal })).rejects.toBeInstanceOf(AbortedError);
    await expect(cache.getOrSet('a', () => 1, { signal })).rejects.toBeInstanceOf(AbortedError);
  });

  it('close is harmless without a shared tier', async () => {
    await expect(createCache().close()).resolves.toBeUndefined();
  });
});

describe('createCache: options', () => {
  it.each([
    [{ ttl: -5 }, 'option "ttl" must be a positive number of milliseconds, got -5'],
    [{ ttl: 0 }, '"ttl"'],
    [{ ttl: Number.NaN }, '"ttl"'],
    [{ staleIfError: -1 }, '"staleIfError"'],
    [{ jitter: 2 }, 'option "jitter" must be a number from 0 to 1, got 2'],
    [{ earlyRefresh: -1 }, '"earlyRefresh"'],
    [{ leaseTtl: -1 }, '"leaseTtl"'],
    [{ busDownTtl: 0 }, '"busDownTtl"'],
    [{ memory: { max: 1.5 } }, 'option "memory.max" must be a positive integer, got 1.5'],
    [{ memory: { maxSize: 0 } }, '"memory.maxSize"'],
    [{ now: 5 }, 'option "now" must be a function, got 5'],
    [{ namespace: '' }, '"namespace"'],
    [{ ttl: '5s' }, 'got "5s"'],
  ])('rejects %j', (options, message) => {
    expect(() => createCache(options as never)).toThrow(ConfigurationError);
    expect(() => createCache(options as never)).toThrow(message);
  });

  it('checks per-call options too', async () => {
    const cache = createCache();
    await expect(cache.set('a', 1, { ttl: -1 })).rejects.toThrow(ConfigurationError);
    await expect(cache.setMany([{ key: 'a', value: 1, options: { ttl: -1 } }])).rejects.toThrow(
      ConfigurationError,
    );
    await expect(cache.getOrSet('a', () => 1, { hardTimeout: 0 })).rejects.toThrow(
      ConfigurationError,
    );
  });

  it('bounds the in-process tier by count and reports evictions', async () => {
    const evicted = vi.fn<CacheHooks['evicted']>();
    const cache = createCache({ memory: { max: 2 }, hooks: { evicted } });
    await cache.set('a', 1);
    await cache.set('b', 2);
    await cache.set('c', 3);
    expect(await cache.get('a')).toBeUndefined();
    expect(evicted).toHaveBeenCalledWith({ key: 'a', reason: 'evict' });
    await cache.delete('b');
    expect(evicted).toHaveBeenCalledTimes(1);
  });

  it('drops an entry past its last deadline when read, and reports it', async () => {
    const time = clock();
    const evicted = vi.fn<CacheHooks['evicted']>();
    const cache = createCache({ ttl: 100, staleIfError: 100, now: time.now, hooks: { evicted } });
    await cache.set('a', 1);
    time.advance(150);
    expect(await cache.getOrSet('a', () => Promise.reject(new Error('down')))).toBe(1);
    time.advance(50);
    await expect(cache.getOrSet('a', () => Promise.reject(new Error('down')))).rejects.toThrow(
      'down',
    );
    expect(evicted).toHaveBeenCalledWith({ key: 'a', reason: 'expire' });
  });

  it('bounds the in-process tier by estimated size', async () => {
    const cache = createCache({ memory: { maxSize: 300 } });
    await cache.set('big', 'x'.repeat(100));
    await cache.set('big2', 'y'.repeat(100));
    expect(await cache.get('big')).toBeUndefined();
    expect(await cache.get('big2')).toBe('y'.repeat(100));
  });

  it('uses a custom size calculation', async () => {
    const sizeCalculation = vi.fn(() => 1);
    const cache = createCache({ memory: { max: 10, maxSize: 2, sizeCalculation } });
    await cache.set('a', 1);
    await cache.set('b', 2);
    await cache.set('c', 3);
    expect(sizeCalculation).toHaveBeenCalledWith(3, 'c');
    expect(await cache.getMany(['a', 'b', 'c'])).toEqual([undefined, 2, 3]);
  });

  it('shortens ttls by up to the jitter fraction', async () => {
    const time = clock();
    const cache = createCache({ ttl: 1_000, jitter: 0.5, random: () => 0.999, now: time.now });
    await cache.set('a', 1);
    time.advance(501);
    expect(await cache.get('a')).toBeUndefined();
    await cache.set('b', 1, { jitter: 0 });
    time.advance(999);
    expect(await cache.get('b')).toBe(1);
  });

  it('clamps ttls above the timer limit', async () => {
    const cache = createCache();
    await cache.set('a', 1, { ttl: 2 ** 40 });
    expect(await cache.get('a')).toBe(1);
  });
});

describe('getOrSet', () => {
  it('runs one loader for 10,000 concurrent callers of one cold key', async () => {
    const cache = createCache();
    const loader = vi.fn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return 'value';
    });
    const results = await Promise.all(
      Array.from({ length: 10_000 }, () => cache.getOrSet('cold', loader)),
    );
    expect(loader).toHaveBeenCalledTimes(1);
    expect(new Set(results)).toEqual(new Set(['value']));
    expect(await cache.getOrSet('cold', loader)).toBe('value');
    expect(loader).toHaveBeenCalledTimes(1);
  });

  it('passes the key and a signal to the loader', async () => {
    const cache = createCache().namespace('ns');
    const loader = vi.fn(() => 1);
    await cache.getOrSet('k', loader);
    expect(loader).toHaveBeenCalledWith({ key: 'k', signal: expect.any(AbortSignal) });
  });

  it('caches null with the negative ttl and does not cache undefined', async () => {
    const time = clock();
    const cache = createCache({ negativeTtl: 100, now: time.now });
    const notFound = vi.fn(() => null);
    expect(await cache.getOrSet('missing', notFound)).toBeNull();
    expect(await cache.getOrSet('missing', notFound)).toBeNull();
    expect(notFound).toHaveBeenCalledTimes(1);
    expect(await cache.get('missing')).toBeNull();
    time.advance(100);
    expect(await cache.get('missing')).toBeUndefined();
    const nothing = vi.fn((): undefined => undefined);
    expect(await cache.getOrSet<string | undefined>('nothing', nothing)).toBeUndefined();
    expect(await cache.getOrSet<string | undefined>('nothing', nothing)).toBeUndefined();
    expect(nothing).toHaveBeenCalledTimes(2);
    expect(await cache.has('nothing')).toBe(false);
  });

  it('uses the explicit ttl for null when given', async () => {
    const time = clock();
    const cache = createCache({ now: time.now });
    await cache.getOrSet('k', () => null, { ttl: 10_000, negativeTtl: 5 });
    time.advance(5_000);
    expect(await cache.has('k')).toBe(true);
  });

  it('propagates loader errors to every waiter and caches nothing', async () => {
    const error = vi.fn<CacheHooks['error']>();
    const cache = createCache({ hooks: { error } });
    const failing = vi.fn(() => Promise.reject(new Error('db down')));
    const calls = [cache.getOrSet('k', failing), cache.getOrSet('k', failing)];
    await expect(Promise.all(calls)).rejects.toThrow('db down');
    await expect(calls[1]).rejects.toThrow('db down');
    expect(failing).toHaveBeenCalledTimes(1);
    expect(error).toHaveBeenCalledWith(expect.objectContaining({ operation: 'loader', key: 'k' }));
    expect(await cache.getOrSet('k', () => 'ok')).toBe('ok');
  });

  it('serves stale while revalidating in the background', async () => {
    const time = clock();
    const staleServed = vi.fn<CacheHooks['staleServed']>();
    const cache = createCache({ ttl: 100, now: time.now, hooks: { staleServed } });
    await cache.getOrSet('k', () => 'v1', { staleWhileRevalidate: 1_000 });
    time.advance(150);
    const next = deferred<string>();
    const loader = vi.fn(() => next.promise);
    expect(await cache.getOrSet('k', loader, { staleWhileRevalidate: 1_000 })).toBe('v1');
    expect(await cache.getOrSet('k', loader, { staleWhileRevalidate: 1_000 })).toBe('v1');
    expect(loader).toHaveBeenCalledTimes(1);
    expect(staleServed).toHaveBeenCalledWith({ key: 'k', reason: 'revalidate' });
    next.resolve('v2');
    await vi.waitFor(async () => {
      expect(await cache.get('k')).toBe('v2');
    });
  });

  it('reports a failed background refresh and keeps the stale value', async () => {
    const time = clock();
    const error = vi.fn<CacheHooks['error']>();
    const cache = createCache({
      ttl: 100,
      staleWhileRevalidate: 1_000,
      now: time.now,
      hooks: { error },
    });
    await cache.set('k', 'v1');
    time.advance(150);
    expect(await cache.getOrSet('k', () => Promise.reject(new Error('boom')))).toBe('v1');
    await vi.waitFor(() => {
      expect(error).toHaveBeenCalledWith(expect.objectContaining({ operation: 'refresh' }));
    });
  });

  it('serves stale when the loader fails within the stale-if-error window', async () => {
    const time = clock();
    const staleServed = vi.fn<CacheHooks['staleServed']>();
    const cache = createCache({
      ttl: 100,
      staleIfError: 1_000,
      now: time.now,
      hooks: { staleServed },
    });
    await cache.getOrSet('k', () => 'v1');
    time.advance(500);
    const failing = () => Promise.reject(new Error('db down'));
    expect(await cache.getOrSet('k', failing)).toBe('v1');
    expect(staleServed).toHaveBeenCalledWith({ key: 'k', reason: 'error' });
    time.advance(600);
    await expect(cache.getOrSet('k', failing)).rejects.toThrow('db down');
  });

  it('returns stale after the soft timeout and stores the late value', async () => {
    vi.useFakeTimers();
    const cache = createCache({ ttl: 100, staleIfError: 10_000 });
    await cache.set('k', 'old');
    vi.advanceTimersByTime(200);
    const late = deferred<string>();
    const pending = cache.getOrSet('k', () => late.promise, { softTimeout: 50 });
    await vi.advanceTimersByTimeAsync(50);
    expect(await pending).toBe('old');
    late.resolve('new');
    await vi.advanceTimersByTimeAsync(0);
    expect(await cache.get('k')).toBe('new');
  });

  it('waits past the soft timeout when there is nothing stale', async () => {
    vi.useFakeTimers();
    const cache = createCache();
    const late = deferred<string>();
    const pending = cache.getOrSet('k', () => late.promise, { softTimeout: 50 });
    await vi.advanceTimersByTimeAsync(100);
    late.resolve('v');
    expect(await pending).toBe('v');
  });

  it('fails with a TimeoutError and aborts the loader at the hard timeout', async () => {
    vi.useFakeTimers();
    const cache = createCache({ hardTimeout: 100 });
    let loaderSignal: AbortSignal | undefined;
    const pending = cache.getOrSet('k', ({ signal }) => {
      loaderSignal = signal;
      return new Promise<string>(() => undefined);
    });
    const assertion = expect(pending).rejects.toBeInstanceOf(TimeoutError);
    await vi.advanceTimersByTimeAsync(100);
    await assertion;
    expect(loaderSignal?.aborted).toBe(true);
    expect(loaderSignal?.reason).toBeInstanceOf(TimeoutError);
  });

  it('serves stale at the hard timeout within the stale-if-error window', async () => {
    vi.useFakeTimers();
    const cache = createCache({ ttl: 100, staleIfError: 10_000 });
    await cache.set('k', 'old');
    vi.advanceTimersByTime(200);
    const pending = cache.getOrSet('k', () => new Promise<string>(() => undefined), {
      hardTimeout: 100,
    });
    await vi.advanceTimersByTimeAsync(100);
    expect(await pending).toBe('old');
  });

  it('aborts one caller without stopping the shared loader', async () => {
    const cache = createCache();
    const controller = new AbortController();
    const value = deferred<string>();
    const loader = vi.fn(() => value.promise);
    const aborted = cache.getOrSet('k', loader, { signal: controller.signal });
    const patient = cache.getOrSet('k', loader);
    controller.abort();
    await expect(aborted).rejects.toBeInstanceOf(AbortedError);
    value.resolve('v');
    expect(await patient).toBe('v');
    expect(loader).toHaveBeenCalledTimes(1);
  });

  it('refreshes early when XFetch says so, and not otherwise', async () => {
    const time = clock();
    let random = 0.999;
    const cache = createCache({ ttl: 1_000, now: time.now, random: () => random });
    const loader = vi.fn(() => {
      time.advance(100);
      return loader.mock.calls.length;
    });
    await cache.getOrSet('k', loader, { earlyRefresh: 1 });
    time.advance(500);
    expect(await cache.getOrSet('k', loader, { earlyRefresh: 1 })).toBe(1);
    expect(loader).toHaveBeenCalledTimes(1);
    random = 1e-9; // -ln(random) is about 20, times 100 ms is past expiry
    expect(await cache.getOrSet('k', loader, { earlyRefresh: 1 })).toBe(1);
    await vi.waitFor(async () => {
      expect(await cache.get('k')).toBe(2);
    });
  });

  it('ignores hooks that throw', async () => {
    const cache = createCache({
      hooks: {
        miss: () => {
          throw new Error('hook');
        },
        loaded: () => {
          throw new Error('hook');
        },
      },
    });
    expect(await cache.getOrSet('k', () => 1)).toBe(1);
  });

  it('reports hits, misses and load durations', async () => {
    const time = clock();
    const hooks = { hit: vi.fn(), miss: vi.fn(), loaded: vi.fn() };
    const cache = createCache({ hooks, now: time.now });
    await cache.getOrSet('k', () => {
      time.advance(42);
      return 1;
    });
    await cache.getOrSet('k', () => 2);
    expect(hooks.miss).toHaveBeenCalledWith({ key: 'k' });
    expect(hooks.loaded).toHaveBeenCalledWith({ key: 'k', durationMs: 42 });
    expect(hooks.hit).toHaveBeenCalledWith({ key: 'k', tier: 'memory' });
  });
});

describe('tags', () => {
  it('invalidates tagged entries and keeps the rest', async () => {
    const cache = createCache();
    await cache.set('a', 1, { tags: ['user:1'] });
    await cache.set('b', 2, { tags: ['user:1', 'team:1'] });
    await cache.set('c', 3, { tags: ['team:1'] });
    await cache.getOrSet('d', () => 4, { tags: ['user:2'] });
    await cache.invalidateTags(['user:1']);
    expect(await cache.getMany(['a', 'b', 'c', 'd'])).toEqual([undefined, undefined, 3, 4]);
    await cache.set('a', 5, { tags: ['user:1'] });
    expect(await cache.get('a')).toBe(5);
    await cache.invalidateTags([]);
    expect(await cache.get('a')).toBe(5);
  });

  it('does not serve invalidated entries as stale', async () => {
    const time = clock();
    const cache = createCache({ ttl: 100, staleIfError: 10_000, now: time.now });
    await cache.set('a', 1, { tags: ['t'] });
    await cache.invalidateTags(['t']);
    await expect(cache.getOrSet('a', () => Promise.reject(new Error('down')))).rejects.toThrow(
      'down',
    );
  });

  it('stays correct past the tracked-tag limit', async () => {
    const cache = createCache();
    await cache.set('a', 1, { tags: ['keep'] });
    await cache.invalidateTags(Array.from({ length: 10_001 }, (_, i) => `t${i}`));
    await cache.set('b', 2, { tags: ['t5'] });
    expect(await cache.get('b')).toBe(2);
  });
});
