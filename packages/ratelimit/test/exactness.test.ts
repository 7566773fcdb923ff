/**
 * Exactness across processes: four Node processes share the machine's Redis and hammer one
 * key with a limit of 1000 and a window of a week (nothing refills during the run). Exactly
 * 1000 requests are allowed, for every algorithm.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeys, REDIS_URL, testPrefix } from './redis-helpers';

const run = promisify(execFile);
const dir = join(import.meta.dirname, '.tmp-exactness');
const prefix = testPrefix('exactness');
const PROCESSES = 4;
const ATTEMPTS_PER_PROCESS = 400;

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  await build({
    stdin: {
      contents: `
        export { createRateLimiter } from '../../src/index';
        export { createRedisStore } from '../../src/stores/redis';
      `,
      resolveDir: dir,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'node',
    // Sibling packages from source, as the tests see them; only the Redis client stays outside.
    conditions: ['@arm/source'],
    external: ['ioredis'],
    outfile: join(dir, 'ratelimit.mjs'),
  });
  writeFileSync(
    join(dir, 'worker.mjs'),
    `
    import { Redis } from 'ioredis';
    import { createRateLimiter, createRedisStore } from './ratelimit.mjs';
    const [algorithm, key, prefix, attempts, barrier, processes] = process.argv.slice(2);
    const client = new Redis(${JSON.stringify(REDIS_URL)});
    // Start together: each process checks in, then waits for all the others.
    await client.incr(barrier);
    while (Number(await client.get(barrier)) < Number(processes)) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const limiter = createRateLimiter({
      name: 'exact',
      policies: { algorithm, limit: 1000, windowMs: 7 * 24 * 3600 * 1000 },
      store: createRedisStore({ client, prefix }),
      failure: 'closed',
      timeoutMs: 10000,
    });
    let allowed = 0, failed = 0, next = 0;
    const total = Number(attempts);
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < total) {
        next++;
        const result = await limiter.consume(key);
        if (result.source !== 'store') failed++;
        else if (result.allowed) allowed++;
      }
    }));
    await client.quit();
    process.stdout.write(JSON.stringify({ allowed, failed }));
    `,
  );
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const client = new Redis(REDIS_URL);
  await deleteKeys(client, prefix);
  await client.quit();
});

describe('four processes, one Redis, one key', () => {
  it.each(['fixed-window', 'sliding-window', 'token-bucket', 'gcra'])(
    '%s allows exactly 1000 of 1600',
    { timeout: 60_000 },
    async (algorithm) => {
      const key = `hammered-${algorithm}`;
      const outputs = await Promise.all(
        Array.from({ length: PROCESSES }, () =>
          run(
            process.execPath,
            [
              join(dir, 'worker.mjs'),
              algorithm,
              key,
              prefix,
              String(ATTEMPTS_PER_PROCESS),
              `${prefix}barrier:${algorithm}`,
              String(PROCESSES),
            ],
            {
              cwd: dir,
            },
          ),
        ),
      );
      const counts = outputs.map(
        ({ stdout }) => JSON.parse(stdout) as { allowed: number; failed: number },
      );
      expect(counts.reduce((sum, c) => sum + c.failed, 0)).toBe(0);
      expect(counts.reduce((sum, c) => sum + c.allowed, 0)).toBe(1000);
      // Every process got some: they really raced.
      expect(counts.every((c) => c.allowed > 0)).toBe(true);
    },
  );
});
