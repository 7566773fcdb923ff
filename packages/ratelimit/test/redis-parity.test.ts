/**
 * The Lua script and the TypeScript algorithms answer the same: random request sequences run
 * through the Redis store (on the real Redis, with the script's clock set by the test) and
 * through the memory store on the same timeline, result by result.
 */
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { compilePolicies } from '../src/policy';
import type { Algorithm } from '../src/policy';
import type { StoreOperation } from '../src/store';
import { createMemoryStore } from '../src/stores/memory';
import { redisStore } from '../src/stores/_redis-store';
import { deleteKeys, REDIS_URL, testPrefix } from './redis-helpers';

const client = new Redis(REDIS_URL);
const prefix = testPrefix('parity');
afterAll(async () => {
  await deleteKeys(client, prefix);
  await client.quit();
});

const operationArb = fc.record({
  kind: fc.constantFrom('consume', 'consume', 'consume', 'peek', 'refund', 'block'),
  gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3_000 })),
  amount: fc.integer({ min: 1, max: 4 }),
});

describe.each(['fixed-window', 'sliding-window', 'token-bucket', 'gcra'] as Algorithm[])(
  '%s',
  (algorithm) => {
    it.each([
      ['with a second policy', true],
      ["alone (the script's one-policy path)", false],
    ])('answers in Lua exactly as in TypeScript, %s', { timeout: 120_000 }, async (_, second) => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 8 }),
          fc.integer({ min: 50, max: 4_000 }),
          fc.array(operationArb, { minLength: 1, maxLength: 25 }),
          async (limit, windowMs, operations) => {
            const policies = compilePolicies([
              { name: 'p', algorithm, limit, windowMs },
              ...(second
                ? [
                    {
                      name: 'q',
                      algorithm: 'gcra' as const,
                      limit: limit * 2,
                      windowMs: windowMs * 3,
                    },
                  ]
                : []),
            ]);
            let now = 1_764_000_000_000 + 123.456;
            const memory = createMemoryStore({ now: () => now });
            const redis = redisStore({ client, prefix }, () => now);
            const key = `parity:${algorithm}:${second ? 2 : 1}:${run++}`;
            for (const { kind, gap, amount } of operations) {
              now += gap;
              const operation: StoreOperation =
                kind === 'block'
                  ? { kind, namespace: 'parity', key, policies, durationMs: amount * 100 }
                  : {
                      kind: kind,
                      namespace: 'parity',
                      key,
                      policies,
                      cost: amount,
                    };
              expect(await redis.apply(operation)).toEqual(memory.apply(operation));
            }
          },
        ),
        { numRuns: 40 },
      );
    });
  },
);
