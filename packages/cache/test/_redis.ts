/** Clients of both kinds on the shared Redis, unique key prefixes, and cleanup of our keys only. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import type { IoredisClient, NodeRedisClient } from '../src/redis/index';

export const REDIS_URL = 'redis://127.0.0.1:6379';

export type ClientKind = 'ioredis' | 'node-redis';
export const CLIENT_KINDS: readonly ClientKind[] = ['ioredis', 'node-redis'];

export interface TestClient {
  readonly client: IoredisClient & NodeRedisClient;
  readonly raw: (args: string[]) => Promise<unknown>;
  readonly close: () => Promise<void>;
}

/** A connected client of the given kind. */
export async function connect(kind: ClientKind, url = REDIS_URL): Promise<TestClient> {
  if (kind === 'ioredis') {
    const client = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    client.on('error', () => undefined);
    return {
      client: client as never,
      raw: (args) => client.call(args[0]!, ...args.slice(1)),
      close: async () => {
        client.disconnect();
        await Promise.resolve();
      },
    };
  }
  const client = createClient({ url, socket: { reconnectStrategy: () => 100 } });
  client.on('error', () => undefined);
  await client.connect();
  return {
    client: client as never,
    raw: (args) => client.sendCommand(args),
    close: async () => {
      client.destroy();
      await Promise.resolve();
    },
  };
}

/** A key prefix no other test run uses. */
export function uniquePrefix(area = 'cache'): string {
  return `arm-test:${area}:${randomUUID().slice(0, 8)}:`;
}

/** Deletes every key under the prefix (ours only; never FLUSHDB on the shared Redis). */
export async function cleanup(raw: TestClient['raw'], prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = (await raw(['SCAN', cursor, 'MATCH', `${prefix}*`, 'COUNT', '1000'])) as [
      string,
      string[],
    ];
    cursor = next;
    if (keys.length > 0) await raw(['DEL', ...keys]);
  } while (cursor !== '0');
}
