/**
 * @arm/ratelimit against rate-limiter-flexible, side by side in one process and one run.
 *
 * - memory store, one key and 100 000 distinct keys: decisions per second (target: >= 2x);
 * - Redis store, 64 concurrent callers on one Redis with the same ioredis client library:
 *   decisions per second (target: >= 1x) and Redis commands per decision, read from Redis's
 *   own INFO commandstats (target: exactly 1);
 * - memory store, 1 000 000 distinct keys: bytes per key (target: <= 200).
 *
 * Rounds alternate between the two libraries; the figures are medians. The Redis is a
 * redis-server this script starts on a free loopback port, so the command counts are its own.
 * Run: pnpm bench:ratelimit
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createMemoryStore, createRateLimiter } from '@arm/ratelimit';
import { createRedisStore } from '@arm/ratelimit/redis';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';

const ROUNDS = 5;
const HUGE = 1_000_000_000;

type Consume = (key: string) => Promise<unknown>;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Decisions per second for `total` sequential decisions over `keys`. */
async function sequential(
  consume: Consume,
  keys: readonly string[],
  total: number,
): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < total; i++) await consume(keys[i % keys.length] as string);
  return total / ((performance.now() - started) / 1000);
}

/** Decisions per second for `total` synchronous decisions over `keys`. */
function sequentialSync(
  consume: (key: string) => unknown,
  keys: readonly string[],
  total: number,
): number {
  const started = performance.now();
  for (let i = 0; i < total; i++) consume(keys[i % keys.length] as string);
  return total / ((performance.now() - started) / 1000);
}

/** Decisions per second with `callers` concurrent loops sharing `total` decisions. */
async function concurrent(consume: Consume, callers: number, total: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async (_, caller) => {
      while (next < total) {
        next++;
        await consume(`caller-${caller}`);
      }
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

async function compare(
  label: string,
  arm: () => Promise<number>,
  rlf: () => Promise<number>,
  unit: string,
) {
  const armRuns: number[] = [];
  const rlfRuns: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    armRuns.push(await arm());
    rlfRuns.push(await rlf());
  }
  const a = median(armRuns);
  const r = median(rlfRuns);
  console.log(
    `${label.padEnd(44)} ARM ${format(a)} ${unit}  rate-limiter-flexible ${format(r)} ${unit}  ratio ${(a / r).toFixed(2)}x`,
  );
  return a / r;
}

function format(value: number): string {
  return Math.round(value).toLocaleString('en-US').padStart(11);
}

async function memoryBenchmarks() {
  const oneKey = ['user:1'];
  const manyKeys = Array.from({ length: 100_000 }, (_, i) => `user:${i}`);
  const armLimiter = (algorithm: 'fixed-window' | 'gcra') =>
    createRateLimiter({
      policies: { algorithm, limit: HUGE, windowMs: 60_000 },
      store: createMemoryStore({ maxKeys: 200_000 }),
    });
  const rlfLimiter = () => new RateLimiterMemory({ points: HUGE, duration: 60 });
  for (const algorithm of ['fixed-window', 'gcra'] as const) {
    for (const [keys, label] of [
      [oneKey, 'one key'],
      [manyKeys, '100 000 keys'],
    ] as const) {
      await compare(
        `memory, ${label} (${algorithm})`,
        () => {
          const limiter = armLimiter(algorithm);
          return sequential((key) => limiter.consume(key), keys, 300_000);
        },
        () => {
          const limiter = rlfLimiter();
          return sequential((key) => limiter.consume(key), keys, 300_000);
        },
        'decisions/s',
      );
      // consumeSync: the same decision without a promise. rate-limiter-flexible has only the
      // promise API, so its side is the line above's.
      await compare(
        `memory, ${label} (${algorithm}, consumeSync)`,
        () => {
          const limiter = armLimiter(algorithm);
          return Promise.resolve(sequentialSync((key) => limiter.consumeSync(key), keys, 300_000));
        },
        () => {
          const limiter = rlfLimiter();
          return sequential((key) => limiter.consume(key), keys, 300_000);
        },
        'decisions/s',
      );
    }
  }
  // What any promise API pays per call on this machine: awaiting an already-settled promise.
  const settled = Promise.resolve({ allowed: true });
  const floor: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    floor.push(await sequential(() => settled, oneKey, 300_000));
  }
  console.log(
    `${'await of a settled promise, for reference'.padEnd(44)}     ${format(median(floor))} awaits/s`,
  );
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function redisBenchmarks() {
  const port = await freePort();
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  try {
    const admin = new Redis(port, '127.0.0.1');
    admin.on('error', () => undefined);
    for (let i = 0; i < 100; i++) {
      try {
        await admin.ping();
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    const client = new Redis(port, '127.0.0.1');
    const arm = createRateLimiter({
      name: 'bench',
      policies: { algorithm: 'fixed-window', limit: HUGE, windowMs: 60_000 },
      store: createRedisStore({ client }),
    });
    const armGcra = createRateLimiter({
      name: 'bench-gcra',
      policies: { algorithm: 'gcra', limit: HUGE, windowMs: 60_000 },
      store: createRedisStore({ client }),
    });
    const rlf = new RateLimiterRedis({
      storeClient: client,
      points: HUGE,
      duration: 60,
      keyPrefix: 'rlf',
    });
    const total = 40_000;

    const countCommands = async (run: () => Promise<unknown>, decisions: number) => {
      await admin.config('RESETSTAT');
      await run();
      const info = await admin.info('commandstats');
      const stats: Record<string, number> = Object.fromEntries(
        [...info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)].map((m) => [
          m[1] as string,
          Number(m[2]),
        ]),
      );
      delete stats.config;
      const scripted = (stats.evalsha ?? 0) + (stats.eval ?? 0);
      const all = Object.values(stats).reduce((sum, calls) => sum + calls, 0);
      return { perDecision: scripted / decisions, inside: (all - scripted) / decisions, stats };
    };

    // Warm both (script loads, connections) before measuring.
    await concurrent((key) => arm.consume(key), 64, 2_000);
    await concurrent((key) => armGcra.consume(key), 64, 2_000);
    await concurrent((key) => rlf.consume(key), 64, 2_000);

    await compare(
      'Redis, 64 callers (fixed window)',
      () => concurrent((key) => arm.consume(key), 64, total),
      () => concurrent((key) => rlf.consume(key), 64, total),
      'decisions/s',
    );
    await compare(
      'Redis, 64 callers (ARM gcra vs RLF)',
      () => concurrent((key) => armGcra.consume(key), 64, total),
      () => concurrent((key) => rlf.consume(key), 64, total),
      'decisions/s',
    );
    const armCommands = await countCommands(
      () => concurrent((key) => arm.consume(key), 64, 10_000),
      10_000,
    );
    const rlfCommands = await countCommands(
      () => concurrent((key) => rlf.consume(key), 64, 10_000),
      10_000,
    );
    console.log(
      `Redis commands per decision (INFO commandstats): ARM ${armCommands.perDecision.toFixed(3)} sent ` +
        `(+${armCommands.inside.toFixed(2)} run inside the script: ${JSON.stringify(armCommands.stats)})`,
    );
    console.log(
      `                                                rate-limiter-flexible ${rlfCommands.perDecision.toFixed(3)} sent ` +
        `(+${rlfCommands.inside.toFixed(2)} run inside the script: ${JSON.stringify(rlfCommands.stats)})`,
    );
    client.disconnect();
    admin.disconnect();
  } finally {
    server.kill('SIGKILL');
  }
}

async function memoryPerKey() {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    console.log('memory per key: run with --expose-gc to measure');
    return;
  }
  const keys = 1_000_000;
  const used = () => {
    gc();
    gc();
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    return heapUsed + arrayBuffers;
  };
  const measure = async (label: string, fill: () => Promise<unknown>) => {
    const before = used();
    const kept = await fill();
    const after = used();
    console.log(
      `memory, 1 000 000 keys: ${label.padEnd(26)} ${((after - before) / keys).toFixed(0)} bytes per key`,
    );
    return kept;
  };
  // Key strings are made before measuring: they are the application's, whoever stores them.
  const names = Array.from({ length: keys }, (_, i) => `user:${i}`);
  const armStore = async (algorithm: 'gcra' | 'fixed-window') => {
    const store = createMemoryStore({ maxKeys: keys });
    const limiter = createRateLimiter({
      policies: { algorithm, limit: 100, windowMs: 3_600_000 },
      store,
    });
    for (const name of names) await limiter.consume(name);
    return store;
  };
  let held: unknown = await measure('ARM (gcra)', () => armStore('gcra'));
  held = await measure('ARM (fixed window)', () => armStore('fixed-window'));
  held = await measure('rate-limiter-flexible', async () => {
    const limiter = new RateLimiterMemory({ points: 100, duration: 3_600 });
    for (const name of names) await limiter.consume(name);
    return limiter;
  });
  return [held, names.length];
}

console.log(
  `@arm/ratelimit vs rate-limiter-flexible, Node ${process.version}, medians of ${ROUNDS} alternating rounds\n`,
);
await memoryBenchmarks();
await redisBenchmarks();
await memoryPerKey();
process.exit(0);
