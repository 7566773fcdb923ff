/**
 * `createRedisTier`: the shared tier over the user's ioredis or node-redis client. Every
 * command goes through one `command(args)` function, so both clients run the same code
 * paths; each command has a timeout and, after a failure, the tier fails fast for a while
 * so that callers never queue behind a dead connection. The pub/sub bus uses a duplicate of
 * the client (a subscribed connection cannot run other commands).
 */
import { ConfigurationError, ServiceUnavailableError, TimeoutError } from '@arm/errors';
import { checkMs } from '../_validate';
import type { RemoteTier } from '../remote-tier';
import { createSerializer } from '../serializer';
import type { Serializer } from '../serializer';

/**
 * The part of an ioredis client the tier uses (structural, so no ioredis types are needed).
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * const client: IoredisClient = new Redis();
 * ```
 */
export interface IoredisClient {
  /** Runs any command. */
  call(command: string, ...args: string[]): Promise<unknown>;
  /** A new connection with the same options, for the subscriber. */
  duplicate(): IoredisSubscriber;
}

/** The part of an ioredis connection the bus uses. */
export interface IoredisSubscriber {
  /** Connection state (`'ready'` when usable). */
  readonly status: string;
  /** Subscribes to a channel. */
  subscribe(channel: string): Promise<unknown>;
  /** Listens to connection and message events. */
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  /** Closes the connection. */
  disconnect(): void;
}

/**
 * The part of a node-redis (v4 or v5) client the tier uses.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * const client = await createClient().connect();
 * ```
 */
export interface NodeRedisClient {
  /** Runs any command. */
  sendCommand(args: string[]): Promise<unknown>;
  /** A new client with the same options, for the subscriber. */
  duplicate(): NodeRedisSubscriber;
}

/** The part of a node-redis client the bus uses. */
export interface NodeRedisSubscriber {
  /** Opens the connection. */
  connect(): Promise<unknown>;
  /** Subscribes to a channel. */
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
  /** Listens to connection events. */
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  /** Closes the connection at once (v5). */
  destroy?: () => void;
  /** Closes the connection at once (v4). */
  disconnect?: () => Promise<unknown>;
}

/**
 * Options of {@link createRedisTier}.
 *
 * @example
 * ```ts
 * createRedisTier({ client: redis, prefix: 'shop:cache:', commandTimeout: 200 });
 * ```
 */
export interface RedisTierOptions {
  /** Your connected ioredis or node-redis client; the tier never closes it. */
  readonly client: IoredisClient | NodeRedisClient;
  /**
   * Prefix of every Redis key and of the bus channel.
   *
   * @defaultValue `'arm:cache:'`
   */
  readonly prefix?: string;
  /**
   * Whether to run the pub/sub invalidation bus (one extra connection).
   *
   * @defaultValue `true`
   */
  readonly bus?: boolean;
  /**
   * Milliseconds a command may take before it counts as failed.
   *
   * @defaultValue 1 000
   */
  readonly commandTimeout?: number;
  /**
   * Milliseconds the tier fails fast after a failed command, before trying Redis again.
   *
   * @defaultValue 1 000
   */
  readonly retryAfter?: number;
  /**
   * The serializer; see `createSerializer` for the default and its `version`.
   *
   * @defaultValue `createSerializer()`
   */
  readonly serializer?: Serializer;
  /**
   * Clock for the fail-fast window, for tests.
   *
   * @defaultValue `Date.now`
   */
  readonly now?: () => number;
}

/** Sets a key and indexes it under its tags; a tag set lives as long as its longest key. */
const SET_WITH_TAGS = `redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local ttl = tonumber(ARGV[2])
for i = 2, #KEYS do
  redis.call('SADD', KEYS[i], KEYS[1])
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return 1`;

/** Deletes every key indexed under the tags, then the tag sets. */
const DELETE_TAGS = `for i = 1, #KEYS do
  local members = redis.call('SMEMBERS', KEYS[i])
  for j = 1, #members, 500 do
    redis.call('DEL', unpack(members, j, math.min(j + 499, #members)))
  end
  redis.call('DEL', KEYS[i])
end
return 1`;

/** Releases a lease only if the token still holds it. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

type Command = (args: string[]) => Promise<unknown>;

function isIoredis(client: IoredisClient | NodeRedisClient): client is IoredisClient {
  return typeof (client as Partial<IoredisClient>).call === 'function';
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

function subscribeIoredis(
  client: IoredisClient,
  channel: string,
  onMessage: (message: string) => void,
  onStatus: (up: boolean, error?: unknown) => void,
): () => Promise<void> {
  const sub = client.duplicate();
  let closed = false;
  sub.on('message', (...args) => {
    if (args[0] === channel) onMessage(String(args[1]));
  });
  sub.on('error', (error) => {
    if (sub.status !== 'ready') onStatus(false, error);
  });
  sub.on('close', () => {
    if (!closed) onStatus(false);
  });
  // ioredis resubscribes by itself after a reconnect, then emits `ready`.
  sub.on('ready', () => {
    onStatus(true);
  });
  sub.subscribe(channel).then(
    () => {
      onStatus(true);
    },
    (error: unknown) => {
      onStatus(false, error);
    },
  );
  return () => {
    closed = true;
    sub.disconnect();
    return Promise.resolve();
  };
}

function subscribeNodeRedis(
  client: NodeRedisClient,
  channel: string,
  onMessage: (message: string) => void,
  onStatus: (up: boolean, error?: unknown) => void,
): () => Promise<void> {
  const sub = client.duplicate();
  let closed = false;
  let subscribed = false;
  sub.on('error', (error) => {
    onStatus(false, error);
  });
  sub.on('end', () => {
    if (!closed) onStatus(false);
  });
  // node-redis restores subscriptions when it reconnects, then emits `ready`.
  sub.on('ready', () => {
    if (subscribed) onStatus(true);
  });
  const started = (async () => {
    await sub.connect();
    await sub.subscribe(channel, (message) => {
      onMessage(message);
    });
    subscribed = true;
    onStatus(true);
  })().catch((error: unknown) => {
    onStatus(false, error);
  });
  return async () => {
    closed = true;
    await started;
    if (sub.destroy) sub.destroy();
    else await sub.disconnect?.();
  };
}

/**
 * Creates the Redis tier for `createCache({ remote })`, over your ioredis or node-redis
 * client.
 *
 * @remarks
 * Keys are `prefix + namespace + key`; tag sets are `prefix + '~tag:' + tag`, leases
 * `prefix + '~lease:' + key`, and the bus channel is `prefix + '~bus'`. Tag invalidation
 * runs a Lua script over keys it does not declare, so use a single Redis (or one shard per
 * prefix), not a Redis Cluster.
 *
 * @param options - The client, prefix, bus switch, timeouts and serializer.
 * @returns A {@link RemoteTier}.
 * @throws ConfigurationError when the client is neither ioredis nor node-redis, or an option
 * is out of range.
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { createCache } from '@arm/cache';
 * import { createRedisTier } from '@arm/cache/redis';
 *
 * const cache = createCache({ remote: createRedisTier({ client: new Redis(), prefix: 'shop:' }) });
 * ```
 */
export function createRedisTier(options: RedisTierOptions): RemoteTier {
  const client = options.client as unknown;
  const ioredis = typeof client === 'object' && client !== null && isIoredis(options.client);
  const nodeRedis =
    typeof client === 'object' &&
    client !== null &&
    typeof (client as Partial<NodeRedisClient>).sendCommand === 'function';
  if (!ioredis && !nodeRedis) {
    throw new ConfigurationError(
      '[@arm/cache] option "client" must be an ioredis or node-redis client',
    );
  }
  if (options.prefix !== undefined && typeof options.prefix !== 'string') {
    throw new ConfigurationError(
      `[@arm/cache] option "prefix" must be a string, got ${String(options.prefix)}`,
    );
  }
  checkMs('commandTimeout', options.commandTimeout, false);
  checkMs('retryAfter', options.retryAfter, true);
  const prefix = options.prefix ?? 'arm:cache:';
  const commandTimeout = options.commandTimeout ?? 1_000;
  const retryAfter = options.retryAfter ?? 1_000;
  const now = options.now ?? Date.now;
  const channel = `${prefix}~bus`;
  const raw: Command = ioredis
    ? (args) => (options.client as IoredisClient).call(args[0] as string, ...args.slice(1))
    : (args) => (options.client as NodeRedisClient).sendCommand(args);
  let downUntil = 0;

  const command: Command = (args) => {
    if (now() < downUntil) {
      return Promise.reject(
        new ServiceUnavailableError('[@arm/cache] Redis failed recently; skipping it for now'),
      );
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        downUntil = now() + retryAfter;
        reject(
          new TimeoutError(`[@arm/cache] Redis ${args[0]} took longer than ${commandTimeout} ms`),
        );
      }, commandTimeout);
    });
    const reply = raw(args).catch((error: unknown) => {
      downUntil = now() + retryAfter;
      throw error;
    });
    return Promise.race([reply, timeout]).finally(() => {
      clearTimeout(timer);
    });
  };
  const key = (k: string): string => prefix + k;
  const tagKey = (tag: string): string => `${prefix}~tag:${tag}`;
  const leaseKey = (k: string): string => `${prefix}~lease:${k}`;
  const bus = options.bus ?? true;

  return {
    serializer: options.serializer ?? createSerializer(),
    bus,
    async get(k) {
      return (await command(['GET', key(k)])) as string | null;
    },
    async getMany(keys) {
      if (keys.length === 0) return [];
      return (await command(['MGET', ...keys.map(key)])) as (string | null)[];
    },
    async set(k, payload, ttlMs, tags) {
      const ttl = String(Math.max(1, Math.ceil(ttlMs)));
      if (tags.length === 0) {
        await command(['SET', key(k), payload, 'PX', ttl]);
        return;
      }
      await command([
        'EVAL',
        SET_WITH_TAGS,
        String(1 + tags.length),
        key(k),
        ...tags.map(tagKey),
        payload,
        ttl,
      ]);
    },
    async delete(keys) {
      if (keys.length > 0) await command(['DEL', ...keys.map(key)]);
    },
    async clear(keyPrefix) {
      const match = `${escapeGlob(key(keyPrefix))}*`;
      let cursor = '0';
      do {
        const [next, found] = (await command(['SCAN', cursor, 'MATCH', match, 'COUNT', '500'])) as [
          string,
          string[],
        ];
        cursor = next;
        if (found.length > 0) await command(['DEL', ...found]);
      } while (cursor !== '0');
    },
    async deleteTags(tags) {
      if (tags.length > 0) {
        await command(['EVAL', DELETE_TAGS, String(tags.length), ...tags.map(tagKey)]);
      }
    },
    async acquireLease(k, token, ttlMs) {
      const reply = await command([
        'SET',
        leaseKey(k),
        token,
        'PX',
        String(Math.ceil(ttlMs)),
        'NX',
      ]);
      return reply === 'OK';
    },
    async releaseLease(k, token) {
      await command(['EVAL', RELEASE, '1', leaseKey(k), token]);
    },
    async publish(message) {
      if (bus) await command(['PUBLISH', channel, message]);
    },
    subscribe(onMessage, onStatus) {
      if (!bus) return () => Promise.resolve();
      return ioredis
        ? subscribeIoredis(options.client, channel, onMessage, onStatus)
        : subscribeNodeRedis(options.client as NodeRedisClient, channel, onMessage, onStatus);
    },
  };
}
