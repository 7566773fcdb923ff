/**
 * `@arm/cache/redis`: the shared Redis tier over your ioredis or node-redis client.
 *
 * @packageDocumentation
 */
export { createRedisTier } from './redis-tier';
export type {
  IoredisClient,
  IoredisSubscriber,
  NodeRedisClient,
  NodeRedisSubscriber,
  RedisTierOptions,
} from './redis-tier';
