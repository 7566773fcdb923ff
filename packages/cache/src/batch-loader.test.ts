import { AbortedError, ConfigurationError, InternalError } from '@arm/errors';
import { describe, expect, it, vi } from 'vitest';
import { createBatchLoader } from './batch-loader';
import { createCache } from './cache';

const double = (ids: readonly number[]) => Promise.resolve(ids.map((id) => id * 2));

describe('createBatchLoader', () => {
  it('loads everything asked in one tick with one batch call, de-duplicated', async () => {
    const batch = vi.fn(double);
    const loader = createBatchLoader({ batch });
    const values = await Promise.all([
      loader.load(1),
      loader.load(2),
      loader.load(1),
      loader.load(3),
    ]);
    expect(values).toEqual([2, 4, 2, 6]);
    expect(batch).toHaveBeenCalledTimes(1);
    expect(batch).toHaveBeenCalledWith([1, 2, 3], { signal: undefined });
  });

  it('memoizes for the life of the loader and forgets on clear', async () => {
    const batch = vi.fn(double);
    const loader = createBatchLoader({ batch });
    await loader.load(1);
    await loader.load(1);
    expect(batch).toHaveBeenCalledTimes(1);
    await loader.clear(1).load(1);
    expect(batch).toHaveBeenCalledTimes(2);
    await loader.clearAll().load(1);
    expect(batch).toHaveBeenCalledTimes(3);
  });

  it('starts a new batch for loads after an await', async () => {
    const batch = vi.fn(double);
    const loader = createBatchLoader({ batch });
    await loader.load(1);
    await loader.load(2);
    expect(batch).toHaveBeenCalledTimes(2);
  });

  it('splits batches at maxBatchSize', async () => {
    const batch = vi.fn(double);
    const loader = createBatchLoader({ batch, maxBatchSize: 2 });
    expect(await loader.loadMany([1, 2, 3, 4, 5])).toEqual([2, 4, 6, 8, 10]);
    expect(batch.mock.calls.map(([keys]) => keys)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('rejects only the keys whose result is an Error', async () => {
    const loader = createBatchLoader({
      batch: (ids: readonly number[]) => ids.map((id) => (id === 2 ? new Error(`no ${id}`) : id)),
    });
    const [one, two] = await Promise.allSettled([loader.load(1), loader.load(2)]);
    expect(one).toEqual({ status: 'fulfilled', value: 1 });
    expect(two).toMatchObject({ status: 'rejected', reason: { message: 'no 2' } });
    const many = await loader.loadMany([1, 2]);
    expect(many[0]).toBe(1);
    expect(many[1]).toBeInstanceOf(Error);
  });

  it('rejects the whole batch when the batch function fails, and lets it be retried', async () => {
    let fail = true;
    const loader = createBatchLoader({
      batch: (ids: readonly number[]) => {
        if (fail) throw new Error('db down');
        return ids;
      },
    });
    await expect(Promise.all([loader.load(1), loader.load(2)])).rejects.toThrow('db down');
    fail = false;
    expect(await loader.load(1)).toBe(1);
  });

  it('turns a non-Error throw into an InternalError', async () => {
    const loader = createBatchLoader<number, number>({
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the case under test
      batch: () => Promise.reject('nope'),
    });
    await expect(loader.load(1)).rejects.toBeInstanceOf(InternalError);
  });

  it('rejects when the batch function returns the wrong number of results', async () => {
    const loader = createBatchLoader({ batch: (ids: readonly number[]) => ids.slice(1) });
    await expect(loader.load(1)).rejects.toThrow('must return an array of 1 results');
    const notArray = createBatchLoader({ batch: () => 'x' as unknown as number[] });
    await expect(notArray.load(1)).rejects.toThrow('got string');
  });

  it('uses cacheKeyFn to dedupe object keys', async () => {
    const batch = vi.fn((keys: readonly { id: number }[]) => keys.map((key) => key.id));
    const loader = createBatchLoader({ batch, cacheKeyFn: (key) => String(key.id) });
    expect(await Promise.all([loader.load({ id: 1 }), loader.load({ id: 1 })])).toEqual([1, 1]);
    expect(batch).toHaveBeenCalledWith([{ id: 1 }], { signal: undefined });
    const byJson = createBatchLoader({ batch });
    expect(await byJson.load({ id: 7 })).toBe(7);
  });

  it('primes the memo without overwriting', async () => {
    const batch = vi.fn(double);
    const loader = createBatchLoader({ batch });
    loader.prime(1, 100).prime(1, 200);
    expect(await loader.load(1)).toBe(100);
    expect(batch).not.toHaveBeenCalled();
  });

  it('passes its signal and refuses loads once aborted', async () => {
    const controller = new AbortController();
    const batch = vi.fn(double);
    const loader = createBatchLoader({ batch, signal: controller.signal });
    await loader.load(1);
    expect(batch).toHaveBeenCalledWith([1], { signal: controller.signal });
    controller.abort();
    await expect(loader.load(2)).rejects.toBeInstanceOf(AbortedError);
  });

  it('checks its options', () => {
    expect(() => createBatchLoader({ batch: 1 as never })).toThrow(ConfigurationError);
    expect(() => createBatchLoader({ batch: double, maxBatchSize: 0 })).toThrow(
      'option "maxBatchSize" must be a positive integer, got 0',
    );
    expect(() => createBatchLoader({ batch: double, cacheKeyFn: 'x' as never })).toThrow(
      '"cacheKeyFn"',
    );
    expect(() => createBatchLoader({ batch: double, maxBatchSize: Infinity })).not.toThrow();
  });
});

describe('createBatchLoader over a cache', () => {
  it('serves cached keys and batches only the misses, then writes them back', async () => {
    const cache = createCache();
    await cache.set('1', 'cached');
    const batch = vi.fn((ids: readonly string[]) => ids.map((id) => `loaded ${id}`));
    const loader = createBatchLoader({ batch, cache, entry: { tags: ['t'] } });
    expect(await loader.loadMany(['1', '2', '3'])).toEqual(['cached', 'loaded 2', 'loaded 3']);
    expect(batch).toHaveBeenCalledWith(['2', '3'], { signal: undefined });
    expect(await cache.getMany(['2', '3'])).toEqual(['loaded 2', 'loaded 3']);
    await cache.invalidateTags(['t']);
    expect(await cache.get('2')).toBeUndefined();
  });

  it('caches null as not found across loaders and leaves undefined and errors uncached', async () => {
    const cache = createCache();
    const batch = vi.fn((ids: readonly number[]) =>
      ids.map((id) => (id === 1 ? null : id === 2 ? undefined : new Error('bad'))),
    );
    const first = createBatchLoader({ batch, cache });
    await first.loadMany([1, 2, 3]);
    const second = createBatchLoader({ batch, cache });
    const results = await second.loadMany([1, 2, 3]);
    expect(results[0]).toBeNull();
    expect(results[1]).toBeUndefined();
    expect(batch.mock.calls[1]?.[0]).toEqual([2, 3]);
  });

  it('makes no batch call when every key is cached', async () => {
    const cache = createCache();
    await cache.setMany([
      { key: '1', value: 1 },
      { key: '2', value: 2 },
    ]);
    const batch = vi.fn(double);
    const loader = createBatchLoader({ batch, cache });
    expect(await loader.loadMany([1, 2])).toEqual([1, 2]);
    expect(batch).not.toHaveBeenCalled();
  });

  it('rejects every pending key when the cache read fails', async () => {
    const cache = createCache();
    const broken = { ...cache, getMany: () => Promise.reject(new Error('cache broke')) };
    const loader = createBatchLoader({ batch: double, cache: broken });
    await expect(loader.load(1)).rejects.toThrow('cache broke');
  });
});
