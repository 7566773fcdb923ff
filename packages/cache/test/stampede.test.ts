/**
 * Stampede protection: 10,000 concurrent getOrSet on one cold key in one process run one
 * loader; 4 processes x 500 concurrent calls with the Redis tier run one loader in total.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCache } from '../src/index';
import { CLIENT_KINDS, cleanup, connect, uniquePrefix } from './_redis';
import type { TestClient } from './_redis';

describe('stampede in one process', () => {
  it('runs one loader for 10,000 concurrent callers', async () => {
    const cache = createCache();
    const loader = vi.fn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { id: 1 };
    });
    const results = await Promise.all(
      Array.from({ length: 10_000 }, () => cache.getOrSet('cold', loader)),
    );
    expect(loader).toHaveBeenCalledTimes(1);
    expect(results.every((result) => result === results[0])).toBe(true);
  });
});

describe.each(CLIENT_KINDS)('stampede across 4 processes with %s', (kind) => {
  // Inside the package, so the bundle's imports of the Redis clients resolve.
  const bundle = fileURLToPath(new URL(`./stampede-child-${kind}.generated.mjs`, import.meta.url));
  const prefix = uniquePrefix();
  let redis: TestClient;

  beforeAll(async () => {
    redis = await connect('ioredis');
    // The child runs the TypeScript sources; bundle them (Redis clients stay external).
    await build({
      entryPoints: [fileURLToPath(new URL('./_stampede-child.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      conditions: ['@arm/source'],
      external: ['ioredis', 'redis'],
      logLevel: 'silent',
    });
  });

  afterAll(async () => {
    rmSync(bundle, { force: true });
    await cleanup(redis.raw, prefix);
    await redis.close();
  });

  it(
    'runs one loader for 4 x 500 concurrent callers on one cold key',
    { timeout: 60_000 },
    async () => {
      const children = Array.from({ length: 4 }, () =>
        spawn(process.execPath, [bundle, prefix, '500', kind], {
          stdio: ['pipe', 'pipe', 'inherit'],
        }),
      );
      try {
        const lines = children.map((child) => {
          const out: string[] = [];
          let buffer = '';
          child.stdout.on('data', (chunk: Buffer) => {
            buffer += chunk.toString();
            const parts = buffer.split('\n');
            buffer = parts.pop() ?? '';
            out.push(...parts);
          });
          return out;
        });
        await vi.waitFor(
          () => {
            expect(lines.every((out) => out.includes('ready'))).toBe(true);
          },
          { timeout: 30_000, interval: 50 },
        );
        for (const child of children) child.stdin.end('go\n');
        const codes = await Promise.all(
          children.map(async (child) => (await once(child, 'exit'))[0] as number | null),
        );
        expect(codes).toEqual([0, 0, 0, 0]);
        expect(await redis.raw(['GET', `${prefix}loader-calls`])).toBe('1');
        const values = lines.map((out) => JSON.parse(out.at(-1) ?? '[]') as string[]);
        expect(values.every((set) => set.length === 1)).toBe(true);
        expect(new Set(values.flat()).size).toBe(1);
      } finally {
        for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
  );
});
