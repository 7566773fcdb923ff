import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { describe, expectTypeOf, it } from 'vitest';
import { createBatchLoader, createCache, createSerializer } from './index';
import type { BatchLoader, Cache, CacheHooks, LoaderContext, RemoteTier } from './index';
import { createRedisTier } from './redis/index';

declare const cache: Cache;

describe('public types', () => {
  it('types getOrSet by its loader', () => {
    expectTypeOf(cache.getOrSet('k', () => 1)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(cache.getOrSet('k', () => Promise.resolve({ id: 'a' }))).toEqualTypeOf<
      Promise<{ id: string }>
    >();
    expectTypeOf(cache.getOrSet('k', (): string | null => null)).toEqualTypeOf<
      Promise<string | null>
    >();
    void cache.getOrSet('k', (context) => {
      expectTypeOf(context).toEqualTypeOf<LoaderContext>();
      return 1;
    });
  });

  it('returns undefined for misses from get and getMany', () => {
    expectTypeOf(cache.get<number>('k')).toEqualTypeOf<Promise<number | undefined>>();
    expectTypeOf(cache.getMany<number>(['k'])).toEqualTypeOf<Promise<(number | undefined)[]>>();
    expectTypeOf(cache.namespace('n')).toEqualTypeOf<Cache>();
  });

  it('accepts only known options', () => {
    createCache({ ttl: 1_000, memory: { max: 10 }, hooks: { hit: ({ tier }) => tier.length } });
    // @ts-expect-error ttl is a number of milliseconds
    createCache({ ttl: '1m' });
    // @ts-expect-error no such hook
    createCache({ hooks: { hitt: () => undefined } });
    expectTypeOf<Parameters<CacheHooks['hit']>[0]['tier']>().toEqualTypeOf<'memory' | 'redis'>();
  });

  it('takes ioredis and node-redis clients as they are', () => {
    expectTypeOf(createRedisTier({ client: new Redis() })).toEqualTypeOf<RemoteTier>();
    createRedisTier({ client: createClient() });
    // @ts-expect-error not a Redis client
    createRedisTier({ client: { get: () => null } });
  });

  it('types batch loaders by key and value', () => {
    const loader = createBatchLoader({
      batch: (ids: readonly number[]) => Promise.resolve(ids.map((id) => ({ id }))),
    });
    expectTypeOf(loader).toEqualTypeOf<BatchLoader<number, { id: number }>>();
    expectTypeOf(loader.load(1)).toEqualTypeOf<Promise<{ id: number }>>();
    expectTypeOf(loader.loadMany([1])).toEqualTypeOf<Promise<({ id: number } | Error)[]>>();
    // @ts-expect-error keys are numbers
    void loader.load('1');
  });

  it('exposes the serializer result as an optional value box', () => {
    expectTypeOf(createSerializer().deserialize('')).toEqualTypeOf<
      { readonly value: unknown } | undefined
    >();
  });
});
