/**
 * `@arm/ratelimit/redis`: the Redis store, for limits shared by every instance of a service.
 *
 * @packageDocumentation
 */
export { createRedisStore } from './_redis-store';
export type { IoRedisLike, NodeRedisLike, RedisStoreOptions } from './_redis-store';
