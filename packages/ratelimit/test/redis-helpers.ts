/** Shared by the Redis tests: the machine's Redis and unique key prefixes. */
import type { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test run uses. */
export function testPrefix(label: string): string {
  return `arm-test:ratelimit:${label}:${process.pid}:${Math.random().toString(36).slice(2, 10)}:`;
}

/** Deletes every key under a prefix (SCAN, never FLUSHDB: the Redis is shared). */
export async function deleteKeys(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await client.del(...keys);
  } while (cursor !== '0');
}
