/**
 * The contract between the cache and a shared tier. `@arm/cache/redis` implements it for
 * ioredis and node-redis; the cache core only ever sees this interface, so the root entry
 * carries no Redis code.
 */
import type { Serializer } from './serializer';

/**
 * A shared cache tier (Redis) as the cache core uses it. Keys are the cache's full keys
 * (namespace included); the tier adds its own prefix. Every method may reject when the tier
 * is unavailable: the cache catches that, reports it to the `error` hook and carries on.
 *
 * @example
 * ```ts
 * const cache = createCache({ remote: createRedisTier({ client: redis, prefix: 'app:' }) });
 * ```
 */
export interface RemoteTier {
  /** The serializer payloads are written with. */
  readonly serializer: Serializer;
  /** Whether the tier has a pub/sub bus (then `subscribe` and `publish` work). */
  readonly bus: boolean;
  /**
   * Reads one payload.
   *
   * @param key - The full key.
   * @returns The payload, or `null` when absent.
   */
  get(key: string): Promise<string | null>;
  /**
   * Reads many payloads in one round trip (MGET).
   *
   * @param keys - Full keys.
   * @returns One payload or `null` per key, in order.
   */
  getMany(keys: readonly string[]): Promise<readonly (string | null)[]>;
  /**
   * Writes one payload with an expiry and records it under its tags.
   *
   * @param key - The full key.
   * @param payload - The serialized entry.
   * @param ttlMs - Milliseconds until Redis drops it.
   * @param tags - Tags to index the key under.
   */
  set(key: string, payload: string, ttlMs: number, tags: readonly string[]): Promise<void>;
  /**
   * Deletes keys.
   *
   * @param keys - Full keys.
   */
  delete(keys: readonly string[]): Promise<void>;
  /**
   * Deletes every key that starts with a prefix (all keys for `''`).
   *
   * @param prefix - A full-key prefix.
   */
  clear(prefix: string): Promise<void>;
  /**
   * Deletes every key recorded under any of the tags.
   *
   * @param tags - The tags.
   */
  deleteTags(tags: readonly string[]): Promise<void>;
  /**
   * Tries to take the fill lease of a key (`SET NX PX`).
   *
   * @param key - The full key.
   * @param token - A token unique to the caller.
   * @param ttlMs - How long the lease lasts.
   * @returns Whether the lease was taken.
   */
  acquireLease(key: string, token: string, ttlMs: number): Promise<boolean>;
  /**
   * Releases a lease if the token still holds it.
   *
   * @param key - The full key.
   * @param token - The token that took it.
   */
  releaseLease(key: string, token: string): Promise<void>;
  /**
   * Publishes a bus message to the other instances.
   *
   * @param message - The message.
   */
  publish(message: string): Promise<void>;
  /**
   * Subscribes to the bus.
   *
   * @param onMessage - Called with every message received.
   * @param onStatus - Called with `true` when the subscription is live, `false` when it drops.
   * @returns A function that ends the subscription.
   */
  subscribe(
    onMessage: (message: string) => void,
    onStatus: (up: boolean, error?: unknown) => void,
  ): () => Promise<void>;
}
