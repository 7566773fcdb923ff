/**
 * The Redis store. One EVALSHA per decision, whatever the number of
 * policies; the script takes the time from the Redis server, so application clocks cannot
 * bend windows, and decides atomically, so many processes sharing one Redis count exactly.
 * It takes the user's client: ioredis or node-redis.
 */
import { ConfigurationError } from '@arm/errors';
import type { CompiledPolicy } from '../policy';
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

/**
 * Runs the script and hands its reply to `then`: one EVALSHA, and a SCRIPT LOAD only when
 * Redis does not know it.
 */
type Runner = <R>(key: string, args: string[], then: (reply: unknown) => R) => Promise<R>;

/**
 * Creates a Redis store. It needs Redis 6.0 or later: its script writes with `SET ... KEEPTTL`.
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
  // The policies' part of the arguments is the same for every call of a limiter, and so are
  // all the arguments of a consume of 1, the common call: one array serves them all (the
  // clients copy arguments into the command they write and never change them).
  let lastPolicies: StoreOperation['policies'] | undefined;
  let policyArgs: string[] = [];
  let consumeOne: string[] = [];
  return {
    name: 'redis',
    apply(operation: StoreOperation): Promise<StoreResult> {
      const { kind, namespace, key, policies } = operation;
      if (policies !== lastPolicies) {
        policyArgs = policies.flatMap((policy) => {
          const args = [policy.algorithm, String(policy.limit), String(policy.windowMs)];
          // Only the bucket algorithms have a burst of their own.
          if (policy.algorithm === 'token-bucket' || policy.algorithm === 'gcra') {
            args.push(String(policy.burst));
          }
          return args;
        });
        consumeOne = [OPERATION_CODES.consume, ...policyArgs];
        lastPolicies = policies;
      }
      const amount =
        kind === 'block' ? operation.durationMs : kind === 'reset' ? 1 : operation.cost;
      let args: string[];
      if (kind === 'consume' && amount === 1 && !nowForTests) {
        args = consumeOne;
      } else {
        // The operation's letter and its amount, left out when it is 1: one argument.
        args = [
          amount === 1 ? OPERATION_CODES[kind] : OPERATION_CODES[kind] + String(amount),
          ...policyArgs,
        ];
        if (nowForTests) args.push(String(nowForTests()));
      }
      return run(`${prefix}{${namespace}:${key}}`, args, (reply) => parse(operation, reply));
    },
  };
}

/** The script's reply as the store's answer. */
function parse(operation: StoreOperation, reply: unknown): StoreResult {
  const { kind, policies } = operation;
  // A one-policy consume that was allowed and counted: remaining and resetMs packed in one
  // integer, or, when that integer would pass 2^53, the two of them.
  if (kind === 'consume' && policies.length === 1) {
    const policy = policies[0] as CompiledPolicy;
    let remaining: number;
    let resetMs: number;
    // A client set to answer numbers as strings (ioredis `stringNumbers`) sends the integer
    // as digits.
    const packed = typeof reply === 'string' && /^\d+$/.test(reply) ? Number(reply) : reply;
    if (typeof packed === 'number') {
      const base = policy.burst + 1;
      remaining = packed % base;
      resetMs = (packed - remaining) / base;
    } else if (Array.isArray(reply) && reply.length === 2) {
      remaining = Number(reply[0]);
      resetMs = Number(reply[1]);
    } else {
      return parseFull(operation, reply);
    }
    const result: PolicyResult = {
      policy: policy.name,
      allowed: true,
      limit: policy.limit,
      remaining,
      resetMs,
      retryAfterMs: 0,
      windowMs: policy.windowMs,
    };
    return { policies: [result], blockedMs: 0 };
  }
  return parseFull(operation, reply);
}

/** The script's full reply: whether it consumed, the block, and each policy's figures. */
function parseFull(operation: StoreOperation, reply: unknown): StoreResult {
  const { kind, policies } = operation;
  if (!Array.isArray(reply)) throw unexpected(reply);
  const numbers = reply as unknown[];
  if (numbers.length !== 2 + (kind === 'reset' ? 0 : 4 * policies.length)) {
    throw unexpected(reply);
  }
  const consumed = Number(numbers[0]) === 1;
  const cost = kind === 'consume' || kind === 'peek' ? operation.cost : 1;
  const count = kind === 'reset' ? 0 : policies.length;
  const results = new Array<PolicyResult>(count);
  for (let i = 0; i < count; i++) {
    const policy = policies[i] as CompiledPolicy;
    const at = 2 + i * 4;
    const result: PolicyResult = {
      policy: policy.name,
      allowed: Number(numbers[at]) === 1,
      limit: policy.limit,
      remaining: Number(numbers[at + 1]),
      resetMs: Number(numbers[at + 2]),
      retryAfterMs: Number(numbers[at + 3]),
      windowMs: policy.windowMs,
    };
    results[i] = consumed ? result : unconsumed(result, cost);
  }
  return { policies: results, blockedMs: Number(numbers[1]) };
}

function unexpected(reply: unknown): Error {
  return new Error(
    `[@arm/ratelimit] unexpected reply from the rate limit script: ${JSON.stringify(reply)}`,
  );
}

const OPERATION_CODES: Readonly<Record<StoreOperation['kind'], string>> = {
  consume: 'c',
  peek: 'p',
  refund: 'r',
  block: 'b',
  reset: 'x',
};

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
  let sha: string | undefined;
  let loading: Promise<string> | undefined;
  const loaded = (): Promise<string> => {
    loading ??= load().then(
      (value) => {
        sha = value;
        return value;
      },
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    );
    return loading;
  };
  // Once the SHA is known a call is one EVALSHA and one continuation, no await in between.
  return <R>(key: string, args: string[], then: (reply: unknown) => R): Promise<R> =>
    (sha === undefined
      ? loaded().then((value) => evalsha(value, key, args))
      : evalsha(sha, key, args)
    ).then(then, (error: unknown) => {
      // Redis restarted or flushed its scripts: load the script again, once.
      if (!String((error as Error | undefined)?.message).includes('NOSCRIPT')) throw error;
      sha = undefined;
      loading = undefined;
      return loaded()
        .then((value) => evalsha(value, key, args))
        .then(then);
    });
}
