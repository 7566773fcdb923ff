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

/** The callbacks of one queued load; its key sits at the same index of the key queue. */
interface Pending<V> {
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
 * The loader. A class, not closures: a loader is made per request, and a dozen closures per
 * loader cost more than its loads (measured against DataLoader by `pnpm bench:cache`).
 * Like DataLoader's, its methods are called on the loader (`loader.load(k)`), not detached.
 */
class Loader<K, V> implements BatchLoader<K, V> {
  private readonly memo = new Map<unknown, Promise<V>>();
  /** The loads of the current tick: keys as given, and their callbacks at the same index. */
  private queuedKeys: K[] = [];
  private queued: Pending<V>[] = [];
  private readonly batch: BatchFunction<K, V>;
  private readonly cache: Cache | undefined;
  private readonly entry: EntryOptions | undefined;
  private readonly signal: AbortSignal | undefined;
  private readonly maxBatchSize: number;
  private readonly cacheKeyFn: ((key: K) => string) | undefined;
  private readonly run: () => void;

  constructor(options: BatchLoaderOptions<K, V>) {
    this.batch = options.batch;
    this.cache = options.cache;
    this.entry = options.entry;
    this.signal = options.signal;
    this.maxBatchSize = options.maxBatchSize ?? Infinity;
    this.cacheKeyFn = options.cacheKeyFn;
    this.run = () => {
      const keys = this.queuedKeys;
      const pending = this.queued;
      this.queuedKeys = [];
      this.queued = [];
      this.dispatch(keys, pending).catch((caught: unknown) => {
        this.fail(pending, caught);
      });
    };
  }

  load(key: K): Promise<V> {
    const signal = this.signal;
    if (signal?.aborted) {
      return Promise.reject(
        new AbortedError('[@arm/cache] the batch loader was aborted', { cause: signal.reason }),
      );
    }
    const memoized = this.cacheKeyFn === undefined ? key : this.cacheKeyFn(key);
    const known = this.memo.get(memoized);
    if (known !== undefined) return known;
    if (this.queuedKeys.length === 0) afterPromiseJobs(this.run);
    this.queuedKeys.push(key);
    const queued = this.queued;
    const promise = new Promise<V>((resolve, reject) => {
      queued.push({ memoKey: memoized, resolve, reject });
    });
    this.memo.set(memoized, promise);
    return promise;
  }

  loadMany(keys: readonly K[]): Promise<(V | Error)[]> {
    return Promise.all(keys.map((key) => this.load(key).catch(toError)));
  }

  clear(key: K): BatchLoader<K, V> {
    this.memo.delete(this.memoKey(key));
    return this;
  }

  clearAll(): BatchLoader<K, V> {
    this.memo.clear();
    return this;
  }

  prime(key: K, value: V): BatchLoader<K, V> {
    const memoized = this.memoKey(key);
    if (!this.memo.has(memoized)) this.memo.set(memoized, Promise.resolve(value));
    return this;
  }

  private memoKey(key: K): unknown {
    return this.cacheKeyFn === undefined ? key : this.cacheKeyFn(key);
  }

  private cacheKey(key: K, memoized: unknown): string {
    return this.cacheKeyFn === undefined ? defaultCacheKey(key) : (memoized as string);
  }

  private fail(pending: readonly Pending<V>[], caught: unknown): void {
    const error = toError(caught);
    for (const item of pending) {
      this.memo.delete(item.memoKey);
      item.reject(error);
    }
  }

  private dispatch(keys: K[], pending: Pending<V>[]): Promise<void> {
    const cache = this.cache;
    if (cache === undefined) return this.callChunks(keys, pending);
    return this.serveFromCache(cache, keys, pending).then((missing) =>
      this.callChunks(missing.keys, missing.pending),
    );
  }

  private callChunks(keys: K[], pending: Pending<V>[]): Promise<void> {
    if (keys.length === 0) return Promise.resolve();
    const size = this.maxBatchSize;
    if (keys.length <= size) return this.callBatch(keys, pending);
    const calls: Promise<void>[] = [];
    for (let start = 0; start < keys.length; start += size) {
      calls.push(
        this.callBatch(keys.slice(start, start + size), pending.slice(start, start + size)),
      );
    }
    return Promise.all(calls).then(() => undefined);
  }

  /** One call of the batch function; never rejects (a failure rejects the chunk's loads). */
  private callBatch(keys: readonly K[], pending: readonly Pending<V>[]): Promise<void> {
    let answer: ReturnType<BatchFunction<K, V>>;
    try {
      answer = this.batch(keys, { signal: this.signal });
    } catch (caught) {
      this.fail(pending, caught);
      return Promise.resolve();
    }
    return Promise.resolve(answer)
      .then((results) => this.settle(keys, pending, results))
      .catch((caught: unknown) => {
        this.fail(pending, caught);
      });
  }

  private settle(
    keys: readonly K[],
    pending: readonly Pending<V>[],
    results: readonly (V | Error)[],
  ): undefined | Promise<void> {
    if (!Array.isArray(results) || results.length !== keys.length) {
      throw new InternalError(
        `[@arm/cache] the batch function must return an array of ${keys.length} results, one per key, got ${Array.isArray(results) ? results.length : typeof results}`,
      );
    }
    if (this.cache !== undefined) {
      return this.writeBack(this.cache, keys, pending, results).then(() => {
        resolveAll(pending, results);
      });
    }
    resolveAll(pending, results);
    return undefined;
  }

  /** Writes loaded values (not errors, not `undefined`) to both tiers of the cache. */
  private async writeBack(
    target: Cache,
    keys: readonly K[],
    pending: readonly Pending<V>[],
    results: readonly (V | Error)[],
  ): Promise<void> {
    const writes: CacheEntryInput[] = [];
    for (let index = 0; index < keys.length; index += 1) {
      const result = results[index];
      if (result !== undefined && !(result instanceof Error)) {
        writes.push({
          key: this.cacheKey(keys[index] as K, (pending[index] as Pending<V>).memoKey),
          value: result,
          options: this.entry ?? {},
        });
      }
    }
    if (writes.length > 0) await target.setMany(writes);
  }

  /** Resolves what either tier has (one MGET for the in-process misses); returns the rest. */
  private async serveFromCache(
    source: Cache,
    keys: readonly K[],
    pending: readonly Pending<V>[],
  ): Promise<{ keys: K[]; pending: Pending<V>[] }> {
    const found = await source.getMany<V>(
      keys.map((key, index) => this.cacheKey(key, (pending[index] as Pending<V>).memoKey)),
    );
    const missing: { keys: K[]; pending: Pending<V>[] } = { keys: [], pending: [] };
    for (let index = 0; index < keys.length; index += 1) {
      const value = found[index];
      const item = pending[index] as Pending<V>;
      if (value === undefined) {
        missing.keys.push(keys[index] as K);
        missing.pending.push(item);
      } else {
        item.resolve(value);
      }
    }
    return missing;
  }
}

function resolveAll<V>(pending: readonly Pending<V>[], results: readonly (V | Error)[]): void {
  for (let index = 0; index < pending.length; index += 1) {
    const item = pending[index] as Pending<V>;
    const result = results[index] as V | Error;
    if (result instanceof Error) item.reject(result);
    else item.resolve(result);
  }
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
  return new Loader(options);
}
