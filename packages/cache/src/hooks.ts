/**
 * What the cache tells an operator. Stale serves, waits on another instance's lease and bus
 * changes are separate events from plain hits, so a dashboard cannot mistake a dead backend
 * kept alive by grace periods for a healthy one.
 */

/** Which tier answered. */
export type CacheTierName = 'memory' | 'redis';

/** Why a stale value was served. */
export type StaleReason = 'revalidate' | 'error' | 'timeout';

/** What the cache was doing when a non-fatal error happened. */
export type CacheOperation =
  | 'loader'
  | 'redis-get'
  | 'redis-set'
  | 'redis-delete'
  | 'redis-clear'
  | 'redis-tags'
  | 'redis-lease'
  | 'bus'
  | 'refresh'
  | 'serialize';

/**
 * Synchronous callbacks for cache events. Keep them cheap; one that throws is ignored.
 *
 * @example
 * ```ts
 * const hooks: Partial<CacheHooks> = {
 *   hit: ({ key, tier }) => hits.inc({ tier }),
 *   staleServed: ({ reason }) => stale.inc({ reason }),
 * };
 * ```
 */
export interface CacheHooks {
  /** A fresh value was found. */
  hit(event: { readonly key: string; readonly tier: CacheTierName }): void;
  /** No fresh value was found in any tier. */
  miss(event: { readonly key: string }): void;
  /** A stale value was returned instead of waiting for or failing with the loader. */
  staleServed(event: { readonly key: string; readonly reason: StaleReason }): void;
  /** A loader finished successfully. */
  loaded(event: { readonly key: string; readonly durationMs: number }): void;
  /** Another instance holds the fill lease; this one waits for its value. */
  leaseWait(event: { readonly key: string }): void;
  /** The in-process tier dropped an entry to stay within its bounds or because it expired. */
  evicted(event: { readonly key: string; readonly reason: 'evict' | 'expire' }): void;
  /** Something failed without failing the caller (Redis, the bus, a background refresh). */
  error(event: {
    readonly error: unknown;
    readonly operation: CacheOperation;
    readonly key?: string;
  }): void;
  /** The invalidation bus connected; `reconnect` is true after an outage. */
  busUp(event: { readonly reconnect: boolean }): void;
  /** The invalidation bus dropped; in-process entries now live at most `busDownTtl`. */
  busDown(event: { readonly error?: unknown }): void;
  /** An invalidation arrived from another instance. */
  busMessage(event: {
    readonly kind: 'drop' | 'tags' | 'clear';
    readonly keys: readonly string[];
  }): void;
}

/** Calls a hook; a hook that throws never breaks the call. */
export function emit<K extends keyof CacheHooks>(
  hooks: Partial<CacheHooks>,
  name: K,
  event: Parameters<CacheHooks[K]>[0],
): void {
  const hook = hooks[name] as ((event: unknown) => void) | undefined;
  if (hook === undefined) return;
  try {
    hook(event);
  } catch {
    // A broken hook must not break caching.
  }
}
