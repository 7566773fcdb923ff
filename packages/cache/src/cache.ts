/**
 * `createCache`: the tiered cache. An lru-cache tier in the process, an optional shared tier
 * (Redis, from `@arm/cache/redis`) behind it, and `getOrSet` with single flight in the
 * process and across instances (a short Redis lease), stale-while-revalidate and
 * stale-if-error grace, soft and hard loader timeouts, TTL jitter, negative caching and
 * probabilistic early refresh. Tags and keys are invalidated across instances over the
 * tier's pub/sub bus; while the bus is down, in-process entries live at most `busDownTtl`.
 */
import { AbortedError, ConfigurationError, TimeoutError } from '@arm/errors';
import { abortError, checkEntryOptions, Core, servesOnError, throwIfAborted } from './_core';
import type { Entry } from './_core';
import { checkCount, checkFraction, checkFunction, checkMs } from './_validate';
import { emit } from './hooks';
import type { CacheHooks } from './hooks';
import type { RemoteTier } from './remote-tier';

/**
 * How long an entry stays fresh and how long it may be served stale afterwards.
 *
 * @example
 * ```ts
 * await cache.set('user:1', user, { ttl: 30_000, staleIfError: 300_000, tags: ['users'] });
 * ```
 */
export interface EntryOptions {
  /**
   * Milliseconds the entry is fresh. Clamped to 2^31 - 1.
   *
   * @defaultValue the cache's `ttl` (60 000)
   */
  readonly ttl?: number;
  /**
   * Milliseconds after `ttl` during which `getOrSet` returns the stale value at once and
   * refreshes it in the background.
   *
   * @defaultValue the cache's `staleWhileRevalidate` (0)
   */
  readonly staleWhileRevalidate?: number;
  /**
   * Milliseconds after `ttl` during which `getOrSet` returns the stale value when the
   * loader fails or times out.
   *
   * @defaultValue the cache's `staleIfError` (0)
   */
  readonly staleIfError?: number;
  /**
   * Tags for {@link Cache.invalidateTags}. Tags are global: they span namespaces.
   *
   * @defaultValue `[]`
   */
  readonly tags?: readonly string[];
  /**
   * Milliseconds a `null` ("not found") stays fresh when no `ttl` is given.
   *
   * @defaultValue the cache's `negativeTtl` (5 000)
   */
  readonly negativeTtl?: number;
  /**
   * Fraction (0 to 1) by which the TTL is randomly shortened, so entries written together
   * do not expire together.
   *
   * @defaultValue the cache's `jitter` (0)
   */
  readonly jitter?: number;
  /**
   * Aborts the call (not the shared loader) with an `AbortedError`.
   *
   * @defaultValue none
   */
  readonly signal?: AbortSignal;
}

/**
 * Options of {@link Cache.getOrSet}.
 *
 * @example
 * ```ts
 * await cache.getOrSet('user:1', load, { softTimeout: 50, hardTimeout: 2_000, staleIfError: 60_000 });
 * ```
 */
export interface GetOrSetOptions extends EntryOptions {
  /**
   * Milliseconds to wait for the loader when a stale value (within `staleIfError`) exists;
   * after that the stale value is returned and the loader keeps running to refresh the entry.
   *
   * @defaultValue none (wait for the loader)
   */
  readonly softTimeout?: number;
  /**
   * Milliseconds after which the loader's signal is aborted and the call fails with a
   * `TimeoutError` (or returns the stale value within `staleIfError`).
   *
   * @defaultValue the cache's `hardTimeout` (none)
   */
  readonly hardTimeout?: number;
  /**
   * XFetch `beta` for probabilistic early refresh: a fresh hit refreshes the entry in the
   * background with a probability that rises as expiry nears, scaled by the measured load
   * time. 1 is the usual value; 0 turns it off.
   *
   * @defaultValue the cache's `earlyRefresh` (0)
   */
  readonly earlyRefresh?: number;
}

/**
 * What a loader receives.
 *
 * @example
 * ```ts
 * const load = ({ signal }: LoaderContext) => fetch(url, { signal }).then((r) => r.json());
 * ```
 */
export interface LoaderContext {
  /** The key being loaded (without the namespace). */
  readonly key: string;
  /** Aborted when the hard timeout passes. */
  readonly signal: AbortSignal;
}

/**
 * Loads a value on a miss. Return `null` for "not found" (cached with `negativeTtl`) and
 * `undefined` for "nothing to cache" (returned, not stored).
 *
 * @example
 * ```ts
 * const loader: Loader<User | null> = ({ key }) => db.findUser(key);
 * ```
 */
export type Loader<V> = (context: LoaderContext) => V | Promise<V>;

/**
 * Bounds of the in-process tier (lru-cache).
 *
 * @example
 * ```ts
 * createCache({ memory: { maxSize: 50_000_000 } }); // about 50 MB, sizes estimated
 * ```
 */
export interface MemoryOptions {
  /**
   * Most entries kept. When neither `max` nor `maxSize` is given, 10 000.
   *
   * @defaultValue 10 000 (without `maxSize`)
   */
  readonly max?: number;
  /**
   * Most total size kept, in the unit of `sizeCalculation` (estimated bytes by default).
   *
   * @defaultValue none
   */
  readonly maxSize?: number;
  /**
   * Size of one value for `maxSize`; must return a positive integer.
   *
   * @defaultValue an estimate of its bytes in memory
   */
  readonly sizeCalculation?: (value: unknown, key: string) => number;
}

/**
 * Options of {@link createCache}.
 *
 * @example
 * ```ts
 * const cache = createCache({ ttl: 30_000, staleIfError: 300_000, memory: { max: 5_000 } });
 * ```
 */
export interface CacheOptions {
  /**
   * Milliseconds an entry is fresh unless a call says otherwise.
   *
   * @defaultValue 60 000
   */
  readonly ttl?: number;
  /**
   * Default stale-while-revalidate window in milliseconds; see {@link EntryOptions}.
   *
   * @defaultValue 0
   */
  readonly staleWhileRevalidate?: number;
  /**
   * Default stale-if-error window in milliseconds; see {@link EntryOptions}.
   *
   * @defaultValue 0
   */
  readonly staleIfError?: number;
  /**
   * Milliseconds a cached `null` stays fresh.
   *
   * @defaultValue 5 000
   */
  readonly negativeTtl?: number;
  /**
   * Default TTL jitter fraction (0 to 1).
   *
   * @defaultValue 0
   */
  readonly jitter?: number;
  /**
   * Default hard timeout of loaders in milliseconds.
   *
   * @defaultValue none
   */
  readonly hardTimeout?: number;
  /**
   * Default XFetch `beta` of `getOrSet`; 0 turns early refresh off.
   *
   * @defaultValue 0
   */
  readonly earlyRefresh?: number;
  /**
   * Namespace of the root cache; keys are stored as `namespace:key`.
   *
   * @defaultValue none
   */
  readonly namespace?: string;
  /**
   * Bounds of the in-process tier.
   *
   * @defaultValue `{ max: 10_000 }`
   */
  readonly memory?: MemoryOptions;
  /**
   * The shared tier, usually `createRedisTier(...)` from `@arm/cache/redis`.
   *
   * @defaultValue none (in-process only)
   */
  readonly remote?: RemoteTier;
  /**
   * Milliseconds a cross-instance fill lease lasts; other instances wait up to this long
   * for the holder's value before loading themselves. `0` turns cross-instance single
   * flight off.
   *
   * @defaultValue 5 000
   */
  readonly leaseTtl?: number;
  /**
   * Milliseconds between checks while waiting on another instance's lease (a bus message
   * for the key ends the wait earlier).
   *
   * @defaultValue 25
   */
  readonly leasePollInterval?: number;
  /**
   * Milliseconds an in-process entry stays fresh while the invalidation bus is down (and
   * before it first connects). When the bus comes back, entries written before are stale.
   *
   * @defaultValue 1 000
   */
  readonly busDownTtl?: number;
  /**
   * Callbacks for cache events.
   *
   * @defaultValue `{}`
   */
  readonly hooks?: Partial<CacheHooks>;
  /**
   * Clock in milliseconds, for tests. Expiry deadlines written to Redis use it too.
   *
   * @defaultValue `Date.now`
   */
  readonly now?: () => number;
  /**
   * Random source in [0, 1) for jitter and early refresh, for tests.
   *
   * @defaultValue `Math.random`
   */
  readonly random?: () => number;
}

/**
 * The options `setMany` takes per entry.
 *
 * @example
 * ```ts
 * await cache.setMany([{ key: 'a', value: 1, options: { ttl: 1_000 } }]);
 * ```
 */
export interface CacheEntryInput {
  /** The key. */
  readonly key: string;
  /** The value; `undefined` deletes the key. */
  readonly value: unknown;
  /** Its TTL, grace periods and tags. */
  readonly options?: EntryOptions;
}

/**
 * Options of calls that only take a signal.
 *
 * @example
 * ```ts
 * await cache.get('k', { signal: AbortSignal.timeout(100) });
 * ```
 */
export interface CallOptions {
  /**
   * Aborts the call with an `AbortedError`.
   *
   * @defaultValue none
   */
  readonly signal?: AbortSignal;
}

/**
 * A tiered cache, or one namespace of it. Made by {@link createCache}.
 *
 * @example
 * ```ts
 * const users = createCache().namespace('users');
 * const user = await users.getOrSet('42', () => db.findUser(42));
 * ```
 */
export interface Cache {
  /** The key prefix of this namespace (`''` for a root cache without namespace). */
  readonly prefix: string;
  /**
   * Reads a fresh value: the in-process tier first, then the shared tier.
   *
   * @param key - The key.
   * @param options - A signal.
   * @returns The value, `null` for a cached "not found", `undefined` on a miss.
   * @throws AbortedError when the signal aborts.
   */
  get<V = unknown>(key: string, options?: CallOptions): Promise<V | undefined>;
  /**
   * Reads a fresh value from the in-process tier only, synchronously: no shared tier, no
   * promise, no await. For hot paths where a value this process already holds is enough;
   * on `undefined`, fall back to `get` or `getOrSet`. A hit calls the `hit` hook like `get`;
   * a miss calls no hook (the cache as a whole was not asked).
   *
   * @param key - The key.
   * @returns The value, `null` for a cached "not found", `undefined` when this process holds
   * no fresh value.
   * @example
   * ```ts
   * const user = cache.getLocal<User>('user:1') ?? (await cache.getOrSet('user:1', loadUser));
   * ```
   */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the value's type, as with `get`
  getLocal<V = unknown>(key: string): V | undefined;
  /**
   * Reads many keys: in-process hits first, then one MGET for the rest.
   *
   * @param keys - The keys.
   * @param options - A signal.
   * @returns One value (or `undefined`) per key, in order.
   * @throws AbortedError when the signal aborts.
   */
  getMany<V = unknown>(keys: readonly string[], options?: CallOptions): Promise<(V | undefined)[]>;
  /**
   * Whether a fresh value (including a cached `null`) exists.
   *
   * @param key - The key.
   * @param options - A signal.
   * @returns `true` when `get` would return something other than `undefined`.
   * @throws AbortedError when the signal aborts.
   */
  has(key: string, options?: CallOptions): Promise<boolean>;
  /**
   * Writes a value to both tiers and tells other instances to drop their copies.
   *
   * @param key - The key.
   * @param value - The value; `null` is a cached "not found", `undefined` deletes the key.
   * @param options - TTL, grace periods, tags, signal.
   * @returns When written; a shared-tier failure goes to the `error` hook.
   * @throws AbortedError when the signal aborts.
   */
  set(key: string, value: unknown, options?: EntryOptions): Promise<void>;
  /**
   * Writes many values.
   *
   * @param entries - Keys, values and per-entry options.
   * @param options - A signal.
   * @returns When written.
   * @throws AbortedError when the signal aborts.
   */
  setMany(entries: readonly CacheEntryInput[], options?: CallOptions): Promise<void>;
  /**
   * Deletes a key from both tiers and from other instances' in-process tiers.
   *
   * @param key - The key.
   * @param options - A signal.
   * @returns When deleted.
   * @throws AbortedError when the signal aborts.
   */
  delete(key: string, options?: CallOptions): Promise<void>;
  /**
   * Deletes every key of this namespace (everything for the root cache) in both tiers and
   * on other instances.
   *
   * @param options - A signal.
   * @returns When cleared.
   * @throws AbortedError when the signal aborts.
   */
  clear(options?: CallOptions): Promise<void>;
  /**
   * Returns the fresh value, or loads it once however many callers ask at the same time
   * (in this process, and across instances with the shared tier).
   *
   * @param key - The key.
   * @param loader - Loads the value on a miss.
   * @param options - TTL, grace periods, timeouts, tags, early refresh, signal.
   * @returns The value (fresh, stale within a grace period, or just loaded).
   * @throws TimeoutError when the hard timeout passes and no stale value may be served.
   * @throws AbortedError when the signal aborts.
   * @throws whatever the loader throws, when no stale value may be served.
   */
  getOrSet<V>(key: string, loader: Loader<V>, options?: GetOrSetOptions): Promise<V>;
  /**
   * Deletes every entry tagged with any of the tags, in both tiers and on other instances.
   *
   * @param tags - The tags.
   * @param options - A signal.
   * @returns When invalidated.
   * @throws AbortedError when the signal aborts.
   */
  invalidateTags(tags: readonly string[], options?: CallOptions): Promise<void>;
  /**
   * A view of the same tiers whose keys are prefixed with `name:`.
   *
   * @param name - The namespace.
   * @returns A cache whose `clear` only clears this namespace.
   * @throws ConfigurationError when the name is empty.
   */
  namespace(name: string): Cache;
  /**
   * Ends the bus subscription. The Redis client stays yours to close.
   *
   * @returns When unsubscribed.
   */
  close(): Promise<void>;
}

/** Races a promise against a signal, a soft timeout returning a stale value, or both. */
function settle<V>(
  flight: Promise<V>,
  signal: AbortSignal | undefined,
  softTimeout: number | undefined,
  onSoftTimeout: () => V,
): Promise<V> {
  if (signal === undefined && softTimeout === undefined) return flight;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const racers: Promise<V>[] = [flight];
  if (signal !== undefined) {
    racers.push(
      new Promise<never>((_, reject) => {
        onAbort = () => {
          reject(abortError(signal));
        };
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    );
  }
  if (softTimeout !== undefined) {
    racers.push(
      new Promise<V>((resolve) => {
        timer = setTimeout(() => {
          resolve(onSoftTimeout());
        }, softTimeout);
      }),
    );
  }
  return Promise.race(racers).finally(() => {
    clearTimeout(timer);
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
  });
}

function createView(core: Core, prefix: string): Cache {
  const full = (key: string): string => prefix + key;

  /**
   * The in-process fresh value, or `undefined`: the hot path of `get`, `getLocal` and
   * `getOrSet`. The common hit (no tags, inside its fresh time, written since the last
   * invalidation of everything, bus up, no hit hook) takes a few checks of its own, and calls
   * lru-cache's `get` without options, whose empty object the optimizing compiler then
   * removes. Through `read` and `isFresh` it ran out of its inlining budget and left
   * lru-cache's internals as calls (callgrind, `getLocal` hits: 520 instructions each against
   * 394 this way; lru-cache's own `get` with a TTL, 386).
   */
  function hit(k: string, now: number): Entry | undefined {
    const entry = core.memory.get(k);
    if (entry === undefined) return undefined;
    if (
      now < entry.fresh &&
      entry.tags === undefined &&
      entry.seq > core.staleBeforeSeq &&
      core.busUp &&
      core.hooks.hit === undefined
    ) {
      return entry;
    }
    return checkedHit(k, entry, now);
  }

  /** `hit` for every other entry: expiry, tags, freshness and the hook. */
  function checkedHit(k: string, entry: Entry, now: number): Entry | undefined {
    if (core.check(k, entry, now) === undefined || !core.isFresh(entry, now)) return undefined;
    if (core.hooks.hit !== undefined) emit(core.hooks, 'hit', { key: k, tier: 'memory' });
    return entry;
  }

  // Not async: an in-process hit returns a settled promise without an async frame.
  function get<V>(key: string, options?: CallOptions): Promise<V | undefined> {
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const k = prefix + key;
    const entry = hit(k, core.now());
    if (entry !== undefined) return Promise.resolve(entry.value as V);
    return getRemote<V>(k);
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- as in the interface
  function getLocal<V>(key: string): V | undefined {
    const entry = hit(prefix + key, core.now());
    return entry === undefined ? undefined : (entry.value as V);
  }

  async function getRemote<V>(k: string): Promise<V | undefined> {
    const remote = await core.readRemote(k);
    if (remote !== undefined && core.isFresh(remote, core.now())) {
      emit(core.hooks, 'hit', { key: k, tier: 'redis' });
      return remote.value as V;
    }
    emit(core.hooks, 'miss', { key: k });
    return undefined;
  }

  async function getMany<V>(
    keys: readonly string[],
    options: CallOptions = {},
  ): Promise<(V | undefined)[]> {
    throwIfAborted(options.signal);
    const now = core.now();
    const results: (V | undefined)[] = new Array<V | undefined>(keys.length);
    const missing: number[] = [];
    keys.forEach((key, index) => {
      const entry = core.read(full(key), now);
      if (entry !== undefined && core.isFresh(entry, now)) {
        emit(core.hooks, 'hit', { key: full(key), tier: 'memory' });
        results[index] = entry.value as V;
      } else {
        missing.push(index);
      }
    });
    if (missing.length === 0) return results;
    let payloads: readonly (string | null)[] = [];
    if (core.remote !== undefined) {
      try {
        payloads = await core.remote.getMany(missing.map((index) => full(keys[index] as string)));
      } catch (error) {
        core.fail('redis-get', error);
      }
    }
    const later = core.now();
    missing.forEach((index, position) => {
      const k = full(keys[index] as string);
      const entry = core.adopt(k, payloads[position] ?? null);
      if (entry !== undefined && core.isFresh(entry, later)) {
        emit(core.hooks, 'hit', { key: k, tier: 'redis' });
        results[index] = entry.value as V;
      } else {
        emit(core.hooks, 'miss', { key: k });
      }
    });
    return results;
  }

  /** Writes entries to both tiers, then tells other instances in one bus message. */
  async function write(entries: readonly CacheEntryInput[]): Promise<void> {
    const keys: string[] = [];
    const deleted: string[] = [];
    const writes: Promise<void>[] = [];
    for (const { key, value, options = {} } of entries) {
      const k = full(key);
      if (value === undefined) {
        deleted.push(k);
        continue;
      }
      keys.push(k);
      writes.push(core.writeRemote(k, core.remember(k, value, options, 0)));
    }
    if (deleted.length > 0) writes.push(remove(deleted));
    await Promise.all(writes);
    if (keys.length > 0) await core.publish('drop', keys);
  }

  async function remove(keys: readonly string[]): Promise<void> {
    for (const key of keys) core.memory.delete(key);
    if (core.remote !== undefined) {
      try {
        await core.remote.delete(keys);
      } catch (error) {
        core.fail('redis-delete', error);
      }
    }
    await core.publish('drop', keys);
  }

  async function load<V>(
    key: string,
    k: string,
    loader: Loader<V>,
    options: GetOrSetOptions,
  ): Promise<V> {
    const hardTimeout = options.hardTimeout ?? core.hardTimeout;
    const controller = new AbortController();
    const started = core.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const loading = Promise.resolve(loader({ key, signal: controller.signal }));
      const value =
        hardTimeout === undefined
          ? await loading
          : await Promise.race([
              loading,
              new Promise<never>((_, reject) => {
                timer = setTimeout(() => {
                  const error = new TimeoutError(
                    `[@arm/cache] the loader of "${k}" took longer than ${hardTimeout} ms`,
                  );
                  controller.abort(error);
                  reject(error);
                }, hardTimeout);
              }),
            ]);
      const durationMs = core.now() - started;
      emit(core.hooks, 'loaded', { key: k, durationMs });
      if (value !== undefined) {
        const entry = core.remember(k, value, options, durationMs);
        await core.writeRemote(k, entry);
        await core.publish('drop', [k]);
      }
      return value;
    } catch (error) {
      core.fail('loader', error, k);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Fills a key: the shared tier, then (under a lease) the loader. One per key at a time. */
  function fill<V>(
    key: string,
    k: string,
    loader: Loader<V>,
    options: GetOrSetOptions,
  ): Promise<V> {
    const existing = core.inflight.get(k) as Promise<V> | undefined;
    if (existing !== undefined) return existing;
    const run = async (): Promise<V> => {
      const remote = core.remote;
      if (remote === undefined) {
        emit(core.hooks, 'miss', { key: k });
        return await load(key, k, loader, options);
      }
      const found = await core.readRemote(k);
      if (found !== undefined && core.isFresh(found, core.now())) {
        emit(core.hooks, 'hit', { key: k, tier: 'redis' });
        return found.value as V;
      }
      emit(core.hooks, 'miss', { key: k });
      try {
        if (core.leaseTtl === 0) return await load(key, k, loader, options);
        return await loadUnderLease(key, k, remote, loader, options);
      } catch (error) {
        // The stale entry read here, not the in-process copy: an invalidation from another
        // instance may drop that copy while the loader runs.
        if (
          found !== undefined &&
          !(error instanceof AbortedError) &&
          servesOnError(found, core.now())
        ) {
          emit(core.hooks, 'staleServed', { key: k, reason: 'error' });
          return found.value as V;
        }
        throw error;
      }
    };
    const flight = run().finally(() => {
      if (core.inflight.get(k) === flight) core.inflight.delete(k);
    });
    core.inflight.set(k, flight);
    return flight;
  }

  async function loadUnderLease<V>(
    key: string,
    k: string,
    remote: RemoteTier,
    loader: Loader<V>,
    options: GetOrSetOptions,
  ): Promise<V> {
    const token = `${core.id}:${core.seq}`;
    const deadline = core.now() + core.leaseTtl;
    let waited = false;
    for (;;) {
      let acquired: boolean;
      try {
        acquired = await remote.acquireLease(k, token, core.leaseTtl);
      } catch (error) {
        // Without Redis there is no lease to respect: load here.
        core.fail('redis-lease', error, k);
        return load(key, k, loader, options);
      }
      if (acquired) {
        try {
          return await load(key, k, loader, options);
        } finally {
          remote.releaseLease(k, token).catch((error: unknown) => {
            core.fail('redis-lease', error, k);
          });
        }
      }
      if (!waited) emit(core.hooks, 'leaseWait', { key: k });
      waited = true;
      await core.waitForKey(k, core.leasePollInterval);
      const found = await core.readRemote(k);
      if (found !== undefined && core.isFresh(found, core.now())) return found.value as V;
      if (core.now() >= deadline) return load(key, k, loader, options);
    }
  }

  function refreshInBackground<V>(
    key: string,
    k: string,
    loader: Loader<V>,
    options: GetOrSetOptions,
  ): void {
    if (core.inflight.has(k)) return;
    fill(key, k, loader, options).catch((error: unknown) => {
      core.fail('refresh', error, k);
    });
  }

  // Not async: an in-process hit returns a settled promise without an async frame.
  function getOrSet<V>(key: string, loader: Loader<V>, options?: GetOrSetOptions): Promise<V> {
    const k = prefix + key;
    const now = core.now();
    const entry = hit(k, now);
    if (entry === undefined) return getOrLoad(key, k, loader, options ?? {}, now);
    const beta = options?.earlyRefresh ?? core.earlyRefresh;
    // XFetch: refresh early with a probability that rises as expiry nears.
    if (beta > 0 && now - entry.loadMs * beta * Math.log(core.random()) >= entry.fresh) {
      refreshInBackground(key, k, loader, options ?? {});
    }
    return Promise.resolve(entry.value as V);
  }

  async function getOrLoad<V>(
    key: string,
    k: string,
    loader: Loader<V>,
    options: GetOrSetOptions,
    now: number,
  ): Promise<V> {
    // Options are checked where they take effect: before anything is loaded or written.
    checkEntryOptions(options);
    throwIfAborted(options.signal);
    const entry = core.read(k, now);
    if (entry !== undefined && entry.swr > entry.fresh && now < entry.swr) {
      emit(core.hooks, 'staleServed', { key: k, reason: 'revalidate' });
      refreshInBackground(key, k, loader, options);
      return entry.value as V;
    }
    const flight = fill(key, k, loader, options);
    const stale = entry !== undefined && servesOnError(entry, now) ? entry : undefined;
    try {
      return await settle(
        flight,
        options.signal,
        stale === undefined ? undefined : options.softTimeout,
        () => {
          emit(core.hooks, 'staleServed', { key: k, reason: 'timeout' });
          return stale?.value as V;
        },
      );
    } catch (error) {
      if (error instanceof AbortedError) throw error;
      const fallback = core.read(k, core.now()) ?? stale;
      if (fallback !== undefined && servesOnError(fallback, core.now())) {
        emit(core.hooks, 'staleServed', { key: k, reason: 'error' });
        return fallback.value as V;
      }
      throw error;
    }
  }

  return {
    prefix,
    get,
    getLocal,
    getMany,
    async has(key, options) {
      return (await get(key, options)) !== undefined;
    },
    async set(key, value, options = {}) {
      checkEntryOptions(options);
      throwIfAborted(options.signal);
      await write([{ key, value, options }]);
    },
    async setMany(entries, options = {}) {
      throwIfAborted(options.signal);
      for (const entry of entries) checkEntryOptions(entry.options ?? {});
      await write(entries);
    },
    async delete(key, options = {}) {
      throwIfAborted(options.signal);
      await remove([full(key)]);
    },
    async clear(options = {}) {
      throwIfAborted(options.signal);
      core.clearPrefix(prefix);
      if (core.remote !== undefined) {
        try {
          await core.remote.clear(prefix);
        } catch (error) {
          core.fail('redis-clear', error);
        }
      }
      await core.publish('clear', [prefix]);
    },
    getOrSet,
    async invalidateTags(tags, options = {}) {
      throwIfAborted(options.signal);
      if (tags.length === 0) return;
      core.markTags(tags);
      if (core.remote !== undefined) {
        try {
          await core.remote.deleteTags(tags);
        } catch (error) {
          core.fail('redis-tags', error);
        }
      }
      // Again after the shared tier dropped them: a read in between may have copied one back.
      core.markTags(tags);
      await core.publish('tags', tags);
    },
    namespace(name) {
      if (typeof name !== 'string' || name === '') {
        throw new ConfigurationError(
          `[@arm/cache] a namespace must be a non-empty string, got ${JSON.stringify(name)}`,
        );
      }
      return createView(core, `${prefix}${name}:`);
    },
    async close() {
      const unsubscribe = core.unsubscribe;
      core.unsubscribe = undefined;
      if (unsubscribe !== undefined) await unsubscribe();
    },
  };
}

/**
 * Creates a tiered cache: an in-process lru-cache tier and, with `remote`, a shared Redis
 * tier with cross-instance single flight and invalidation.
 *
 * @param options - Defaults for entries, the in-process bounds, the shared tier, hooks.
 * @returns A {@link Cache}.
 * @throws ConfigurationError when an option is out of range.
 * @example
 * ```ts
 * const cache = createCache({ ttl: 60_000, staleIfError: 300_000 });
 * const user = await cache.getOrSet(`user:${id}`, () => db.findUser(id), { tags: ['users'] });
 * await cache.invalidateTags(['users']);
 * ```
 */
export function createCache(options: CacheOptions = {}): Cache {
  checkEntryOptions(options);
  checkFraction('earlyRefresh', options.earlyRefresh, 100);
  checkMs('leaseTtl', options.leaseTtl, true);
  checkMs('leasePollInterval', options.leasePollInterval, false);
  checkMs('busDownTtl', options.busDownTtl, false);
  checkCount('memory.max', options.memory?.max);
  checkCount('memory.maxSize', options.memory?.maxSize);
  checkFunction('memory.sizeCalculation', options.memory?.sizeCalculation);
  checkFunction('now', options.now);
  checkFunction('random', options.random);
  if (
    options.namespace !== undefined &&
    (typeof options.namespace !== 'string' || options.namespace === '')
  ) {
    throw new ConfigurationError(
      `[@arm/cache] option "namespace" must be a non-empty string, got ${JSON.stringify(options.namespace)}`,
    );
  }
  const core = new Core(options);
  return createView(core, options.namespace === undefined ? '' : `${options.namespace}:`);
}
