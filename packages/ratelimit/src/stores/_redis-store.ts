/**
 * The Redis store. One EVALSHA per decision, whatever the number of
 * policies; the script takes the time from the Redis server, so application clocks cannot
 * bend windows, and decides atomically, so many processes sharing one Redis count exactly.
 * It takes the user's client: ioredis or node-redis.
 */
import { ConfigurationError } from '@arm/errors';
import type { PolicyResult } from '../result';
import type { RateLimitStore, StoreOperation, StoreResult } from '../store';
import { unconsumed } from './memory';
import { RATE_LIMIT_SCRIPT } from './redis-script';

/** The part of an ioredis client the store uses. */
export interface IoRedisLike {
  /** Runs a loaded script by its SHA1. */
  evalsha(sha: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  /** Loads a script; resolves with its SHA1. */
  script(subcommand: 'LOAD', script: string): Promise<unknown>;
}

/** The part of a node-redis client (v4, v5) the store uses. */
export interface NodeRedisLike {
  /** Runs a loaded script by its SHA1. */
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  /** Loads a script; resolves with its SHA1. */
  scriptLoad(script: string): Promise<string>;
}

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /**
   * The user's connected client: ioredis (`new Redis()`, also `Cluster`) or node-redis
   * (`createClient()`). Turn its offline queue off (ioredis `enableOfflineQueue: false`) if
   * requests should not wait for a reconnect; the limiter's `timeoutMs` bounds the wait
   * either way.
   */
  readonly client: IoRedisLike | NodeRedisLike;
  /**
   * Prefix of every key; the limiter key follows it in braces (a Redis Cluster hash tag), so
   * all state of one key sits in one slot.
   * @defaultValue `'arm:rl:'`
   */
  readonly prefix?: string;
}

/** Runs the script: one EVALSHA, and a SCRIPT LOAD only when Redis does not know it. */
type Runner = (key: string, args: string[]) => Promise<unknown>;

/**
 * Creates a Redis store.
 *
 * @param options - The client and the key prefix.
 * @returns The store; pass it to `createRateLimiter({ store })`.
 * @throws `ConfigurationError` when the client is neither ioredis nor node-redis.
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { createRateLimiter } from '@arm/ratelimit';
 * import { createRedisStore } from '@arm/ratelimit/redis';
 *
 * const store = createRedisStore({ client: new Redis({ enableOfflineQueue: false }) });
 * const limiter = createRateLimiter({ tier: 'api', store });
 * ```
 */
export function createRedisStore(options: RedisStoreOptions): RateLimitStore {
  return redisStore(options);
}

/**
 * The Redis store; `nowForTests` replaces the server's clock so that parity tests can run the
 * script and the TypeScript algorithms on the same timeline.
 *
 * @internal
 */
export function redisStore(options: RedisStoreOptions, nowForTests?: () => number): RateLimitStore {
  const { client, prefix = 'arm:rl:' } = options;
  const run = runner(client);
  return {
    name: 'redis',
    async apply(operation: StoreOperation): Promise<StoreResult> {
      const { kind, namespace, key, policies } = operation;
      const args = [
        { consume: 'c', peek: 'p', refund: 'r', block: 'b', reset: 'x' }[kind],
        String(kind === 'block' ? operation.durationMs : kind === 'reset' ? 0 : operation.cost),
        String(policies.length),
      ];
      for (const policy of policies) {
        args.push(
          policy.algorithm,
          String(policy.limit),
          String(policy.windowMs),
          String(policy.burst),
          String(policy.slots),
        );
      }
      if (nowForTests) args.push(String(nowForTests()));
      const reply = await run(`${prefix}{${namespace}:${key}}`, args);
      if (
        !Array.isArray(reply) ||
        reply.length !== 2 + (kind === 'reset' ? 0 : 4 * policies.length)
      ) {
        throw new Error(
          `[@arm/ratelimit] unexpected reply from the rate limit script: ${JSON.stringify(reply)}`,
        );
      }
      const numbers = reply.map(Number);
      const consumed = numbers[0] === 1;
      const cost = kind === 'consume' || kind === 'peek' ? operation.cost : 1;
      const results =
        kind === 'reset'
          ? []
          : policies.map((policy, i): PolicyResult => {
              const at = 2 + i * 4;
              const result: PolicyResult = {
                policy: policy.name,
                allowed: numbers[at] === 1,
                limit: policy.limit,
                remaining: numbers[at + 1] as number,
                resetMs: numbers[at + 2] as number,
                retryAfterMs: numbers[at + 3] as number,
                windowMs: policy.windowMs,
              };
              return consumed ? result : unconsumed(result, cost);
            });
      return { policies: results, blockedMs: numbers[1] as number };
    },
  };
}

function runner(client: unknown): Runner {
  const candidate = client as Partial<IoRedisLike & NodeRedisLike> | undefined;
  let evalsha: (sha: string, key: string, args: string[]) => Promise<unknown>;
  let load: () => Promise<string>;
  if (typeof candidate?.evalsha === 'function' && typeof candidate.script === 'function') {
    const io = candidate as IoRedisLike;
    evalsha = (sha, key, args) => io.evalsha(sha, 1, key, ...args);
    load = async () => String(await io.script('LOAD', RATE_LIMIT_SCRIPT));
  } else if (
    typeof candidate?.evalSha === 'function' &&
    typeof candidate.scriptLoad === 'function'
  ) {
    const node = candidate as NodeRedisLike;
    evalsha = (sha, key, args) => node.evalSha(sha, { keys: [key], arguments: args });
    load = () => node.scriptLoad(RATE_LIMIT_SCRIPT);
  } else {
    throw new ConfigurationError(
      '[@arm/ratelimit] option "client" must be an ioredis or node-redis client, got ' +
        (client === null ? 'null' : typeof client),
    );
  }
  let sha: Promise<string> | undefined;
  const loaded = () => {
    sha ??= load().catch((error: unknown) => {
      sha = undefined;
      throw error;
    });
    return sha;
  };
  return async (key, args) => {
    try {
      return await evalsha(await loaded(), key, args);
    } catch (error) {
      // Redis restarted or flushed its scripts: load the script again, once.
      if (!String((error as Error | undefined)?.message).includes('NOSCRIPT')) throw error;
      sha = undefined;
      return evalsha(await loaded(), key, args);
    }
  };
}
