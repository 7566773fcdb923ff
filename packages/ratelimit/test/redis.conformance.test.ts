/** The Redis store passes the conformance suite with both client libraries, on real Redis. */
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { createRedisStore } from '../src/stores/redis';
import { describeRateLimitStore } from '../src/testing/describe-store';
import { REDIS_URL, testPrefix } from './redis-helpers';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describeRateLimitStore('redis (ioredis)', () => {
  const client = new Redis(REDIS_URL);
  return {
    store: createRedisStore({ client, prefix: testPrefix('ioredis') }),
    advance: sleep,
    close: async () => {
      await client.quit();
    },
  };
});

describeRateLimitStore('redis (node-redis)', async () => {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  return {
    store: createRedisStore({ client, prefix: testPrefix('node-redis') }),
    advance: sleep,
    close: async () => {
      await client.quit();
    },
  };
});
