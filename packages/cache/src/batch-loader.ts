/**
 * `createBatchLoader`: DataLoader semantics (one batch per tick, de-duplication, a memo for
 * the life of the loader, one error per key) over the cache's tiers. A dispatch serves
 * in-process hits, then reads the rest with one MGET, then calls the batch function once
 * (per `maxBatchSize` chunk) for what is still missing and writes the results back to both
 * tiers. Make one loader per request; share the cache between requests.
 */
import { AbortedError, ConfigurationError, InternalError } from '@arm/errors';
import { afterPromiseJobs } from './_schedule';
import { checkCount, checkFunction } from './_validate';
import type { Cache, CacheEntryInput, EntryOptions } from './cache';

/**
 * What the batch function receives beside the keys.
 *
 * @example
 * ```ts
 * const batch = (ids: readonly number[], { signal }: BatchContext) => db.users(ids, { signal });
 * ```
 */
export interface BatchContext {
  /** The loader's signal, if it was given one. */
  readonly signal: AbortSignal | undefined;
}

/**
 * Loads many keys at once. Returns one result per key, in the same order: a value, `null`
 * for "not found" (cached as such), `undefined` for "nothing to cache", or an `Error` for
 * that key alone.
 *
 * @example
 * ```ts
 * const batch: BatchFunction<number, User | null> = async (ids) => {
 *   const rows = await db.query('select * from users where id = any($1)', [ids]);
 *   return ids.map((id) => rows.find((row) => row.id === id) ?? null);
 * };
 * ```
 */
export type BatchFunction<K, V> = (
  keys: readonly K[],
  context: BatchContext,
) => Promise<readonly (V | Error)[]> | readonly (V | Error)[];

/**
 * Options of {@link createBatchLoader}.
 *
 * @example
 * ```ts
 * createBatchLoader({ batch, cache: cache.namespace('user'), maxBatchSize: 500 });
 * ```
 */
export interface BatchLoaderOptions<K, V> {
  /** The batch function. */
  readonly batch: BatchFunction<K, V>;
  /**
   * The cache (or namespace) that results are read from and written to.
   *
   * @defaultValue none (batching and the per-loader memo only)
   */
  readonly cache?: Cache;
  /**
   * Most keys per batch call; larger dispatches are split into several calls.
   *
   * @defaultValue `Infinity`
   */
  readonly maxBatchSize?: number;
  /**
   * Turns a key into its cache key; keys with the same cache key are loaded once.
   *
   * @defaultValue none: the memo compares keys as a `Map` does, and the cache tiers get
   * strings as they are and anything else through `JSON.stringify`
   */
  readonly cacheKeyFn?: (key: K) => string;
  /**
   * TTL, grace periods and tags of the entries written back.
   *
   * @defaultValue the cache's defaults
   */
  readonly entry?: EntryOptions;
  /**
   * Passed to the batch function; once aborted, new loads fail with an `AbortedError`.
   *
   * @defaultValue none
   */
  readonly signal?: AbortSignal;
}

/**
 * A request-scoped batch loader. Made by {@link createBatchLoader}.
 *
 * @example
 * ```ts
 * const [a, b] = await Promise.all([users.load(1), users.load(2)]); // one batch call
 * ```
 */
export interface BatchLoader<K, V> {
  /**
   * Loads one key, batched with every other load of the same tick.
   *
   * @param key - The key.
   * @returns Its value.
   * @throws the key's `Error` from the batch function, or what the batch function threw.
   * @throws AbortedError when the loader's signal has aborted.
   */
  load(key: K): Promise<V>;
  /**
   * Loads many keys.
   *
   * @param keys - The keys.
   * @returns One value or `Error` per key; it never rejects for a single key.
   */
  loadMany(keys: readonly K[]): Promise<(V | Error)[]>;
  /**
   * Forgets a key in this loader's memo (not in the cache).
   *
   * @param key - The key.
   * @returns The loader.
   */
  clear(key: K): BatchLoader<K, V>;
  /**
   * Forgets every key in this loader's memo.
   *
   * @returns The loader.
   */
  clearAll(): BatchLoader<K, V>;
  /**
   * Puts a value in the memo unless the key is already there.
   *
   * @param key - The key.
   * @param value - Its value.
   * @returns The loader.
   */
  prime(key: K, value: V): BatchLoader<K, V>;
}

interface Pending<K, V> {
  readonly key: K;
  readonly memoKey: unknown;
  readonly resolve: (value: V) => void;
  readonly reject: (error: Error) => void;
}

const defaultCacheKey = (key: unknown): string =>
  typeof key === 'string' ? key : JSON.stringify(key);

function toError(value: unknown): Error {
  return value instanceof Error ? value : new InternalError(String(value), { cause: value });
}

/**
 * Creates a batch loader: DataLoader semantics over the cache's tiers.
 *
 * @param options - The batch function, the cache, the batch size and the key function.
 * @returns A {@link BatchLoader}; make one per request.
 * @throws ConfigurationError when `batch` is not a function or an option is out of range.
 * @example
 * ```ts
 * const users = createBatchLoader({
 *   batch: (ids: readonly number[]) => findUsersByIds(ids),
 *   cache: cache.namespace('user'),
 *   entry: { ttl: 30_000, tags: ['users'] },
 * });
 * const [ada, alan] = await Promise.all([users.load(1), users.load(2)]);
 * ```
 */
export function createBatchLoader<K, V>(options: BatchLoaderOptions<K, V>): BatchLoader<K, V> {
  if (typeof options.batch !== 'function') {
    throw new ConfigurationError('[@arm/cache] option "batch" must be a function');
  }
  if (options.maxBatchSize !== Infinity) checkCount('maxBatchSize', options.maxBatchSize);
  checkFunction('cacheKeyFn', options.cacheKeyFn);
  const { batch, cache, entry, signal } = options;
  const maxBatchSize = options.maxBatchSize ?? Infinity;
  const cacheKeyFn = options.cacheKeyFn;
  const memo = new Map<unknown, Promise<V>>();
  const memoKey = (key: K): unknown => (cacheKeyFn === undefined ? key : cacheKeyFn(key));
  const cacheKey = (item: Pending<K, V>): string =>
    cacheKeyFn === undefined ? defaultCacheKey(item.key) : (item.memoKey as string);
  let queue: Pending<K, V>[] = [];

  async function callBatch(chunk: readonly Pending<K, V>[]): Promise<void> {
    let results: readonly (V | Error)[];
    try {
      results = await batch(
        chunk.map((item) => item.key),
        { signal },
      );
      if (!Array.isArray(results) || results.length !== chunk.length) {
        throw new InternalError(
          `[@arm/cache] the batch function must return an array of ${chunk.length} results, one per key, got ${Array.isArray(results) ? results.length : typeof results}`,
        );
      }
    } catch (caught) {
      const error = toError(caught);
      for (const item of chunk) {
        memo.delete(item.memoKey);
        item.reject(error);
      }
      return;
    }
    if (cache !== undefined) await writeBack(cache, chunk, results);
    for (let index = 0; index < chunk.length; index += 1) {
      const item = chunk[index] as Pending<K, V>;
      const result = results[index] as V | Error;
      if (result instanceof Error) item.reject(result);
      else item.resolve(result);
    }
  }

  /** Writes loaded values (not errors, not `undefined`) to both tiers of the cache. */
  async function writeBack(
    target: Cache,
    chunk: readonly Pending<K, V>[],
    results: readonly (V | Error)[],
  ): Promise<void> {
    const writes: CacheEntryInput[] = [];
    chunk.forEach((item, index) => {
      const result = results[index];
      if (result !== undefined && !(result instanceof Error)) {
        writes.push({ key: cacheKey(item), value: result, options: entry ?? {} });
      }
    });
    if (writes.length > 0) await target.setMany(writes);
  }

  async function dispatch(items: readonly Pending<K, V>[]): Promise<void> {
    const missing = cache === undefined ? items : await serveFromCache(cache, items);
    if (missing.length <= maxBatchSize) {
      if (missing.length > 0) await callBatch(missing);
      return;
    }
    const chunks: Pending<K, V>[][] = [];
    for (let start = 0; start < missing.length; start += maxBatchSize) {
      chunks.push(missing.slice(start, start + maxBatchSize));
    }
    await Promise.all(chunks.map(callBatch));
  }

  /** Resolves what either tier has (one MGET for the in-process misses); returns the rest. */
  async function serveFromCache(
    source: Cache,
    items: readonly Pending<K, V>[],
  ): Promise<Pending<K, V>[]> {
    const found = await source.getMany<V>(items.map(cacheKey));
    const missing: Pending<K, V>[] = [];
    items.forEach((item, index) => {
      const value = found[index];
      if (value === undefined) missing.push(item);
      else item.resolve(value);
    });
    return missing;
  }

  function schedule(): void {
    afterPromiseJobs(() => {
      const items = queue;
      queue = [];
      dispatch(items).catch((caught: unknown) => {
        const error = toError(caught);
        for (const item of items) {
          memo.delete(item.memoKey);
          item.reject(error);
        }
      });
    });
  }

  const loader: BatchLoader<K, V> = {
    load(key) {
      if (signal?.aborted) {
        return Promise.reject(
          new AbortedError('[@arm/cache] the batch loader was aborted', { cause: signal.reason }),
        );
      }
      const memoized = memoKey(key);
      const known = memo.get(memoized);
      if (known !== undefined) return known;
      const promise = new Promise<V>((resolve, reject) => {
        if (queue.length === 0) schedule();
        queue.push({ key, memoKey: memoized, resolve, reject });
      });
      memo.set(memoized, promise);
      return promise;
    },
    loadMany(keys) {
      return Promise.all(keys.map((key) => loader.load(key).catch(toError)));
    },
    clear(key) {
      memo.delete(memoKey(key));
      return loader;
    },
    clearAll() {
      memo.clear();
      return loader;
    },
    prime(key, value) {
      const memoized = memoKey(key);
      if (!memo.has(memoized)) memo.set(memoized, Promise.resolve(value));
      return loader;
    },
  };
  return loader;
}
