/**
 * Redis: PING through the application's own client, ioredis or node-redis, told apart by shape.
 * A client that knows it is disconnected fails at once instead of queueing the PING.
 */
import type { CheckDefinition, CheckSettings } from '../check';

/** ioredis states in which a PING would wait for a reconnection that may never come. */
const LOST: readonly string[] = ['reconnecting', 'close', 'end'];

/**
 * The part of a Redis client the check uses. ioredis clients and node-redis (v4, v5) clients
 * both fit: ioredis has a `status` string, node-redis an `isReady` flag.
 *
 * @example
 * ```ts
 * const client: RedisPingClient = new Redis(); // ioredis
 * ```
 */
export interface RedisPingClient {
  /** Sends PING; resolves with `PONG`. */
  ping(): Promise<unknown>;
  /** ioredis: `'ready'` when connected; `'reconnecting'`, `'close'` and `'end'` fail at once. */
  readonly status?: string;
  /** node-redis: `true` when connected; `false` fails at once. */
  readonly isReady?: boolean;
}

/**
 * A check that sends PING and reports its round trip in milliseconds.
 *
 * @param client - The application's ioredis or node-redis client; the check never creates one.
 * @param settings - Criticality, timeout, cache and interval.
 * @returns A check definition for `createHealth({ checks })`.
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * const health = createHealth({ checks: { redis: redisCheck(new Redis(), { timeoutMs: 500 }) } });
 * ```
 */
export function redisCheck(client: RedisPingClient, settings: CheckSettings = {}): CheckDefinition {
  return {
    componentType: 'datastore',
    ...settings,
    async check() {
      // A client that lost its connection would queue the PING until it reconnects; say so at
      // once. One still making its first connection (or lazy) gets the PING and the timeout.
      if (typeof client.status === 'string' && LOST.includes(client.status)) {
        throw new Error(`redis connection is ${client.status}`);
      }
      if (client.isReady === false) throw new Error('redis connection is not ready');
      const reply = await client.ping();
      if (reply !== 'PONG') throw new Error(`redis answered ${String(reply)} to PING`);
    },
  };
}
