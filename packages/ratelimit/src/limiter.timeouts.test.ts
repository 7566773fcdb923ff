/**
 * The limiter's timeouts with many store calls in flight: each call is settled exactly once,
 * by whichever comes first of its answer, its failure, its signal and its deadline, whatever
 * order answers arrive in, and a late answer never settles a later call.
 */
import { AbortedError } from '@arm/errors';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRateLimiter } from './limiter';
import type { RateLimitResult } from './result';
import type { RateLimitStore, StoreOperation, StoreResult } from './store';

/** A store whose every call waits until the test answers it. */
function heldStore() {
  const held: {
    operation: StoreOperation;
    answer: (remaining: number) => void;
    fail: () => void;
  }[] = [];
  const store: RateLimitStore = {
    name: 'held',
    apply: (operation) =>
      new Promise<StoreResult>((resolve, reject) => {
        held.push({
          operation,
          answer: (remaining) => {
            const policy = operation.policies[0];
            resolve({
              blockedMs: 0,
              policies: [
                {
                  policy: policy?.name ?? '',
                  allowed: true,
                  limit: policy?.limit ?? 0,
                  remaining,
                  resetMs: 0,
                  retryAfterMs: 0,
                  windowMs: policy?.windowMs ?? 0,
                },
              ],
            });
          },
          fail: () => {
            reject(new Error('connection lost'));
          },
        });
      }),
  };
  return { store, held };
}

/** What a call ended with. */
type Outcome = { remaining: number; source: RateLimitResult['source'] } | 'aborted' | 'pending';

function track(promise: Promise<RateLimitResult>) {
  const box: { outcome: Outcome } = { outcome: 'pending' };
  promise.then(
    (result) => {
      box.outcome = { remaining: result.remaining, source: result.source };
    },
    (error: unknown) => {
      box.outcome = error instanceof AbortedError ? 'aborted' : 'pending';
    },
  );
  return box;
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeEach(() => {
  vi.useFakeTimers();
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
  vi.useRealTimers();
});

describe('store calls in flight', () => {
  it('settles each of hundreds of calls once, in any order, and a late answer settles nothing', async () => {
    const { store, held } = heldStore();
    let storeErrors = 0;
    const limiter = createRateLimiter({
      store,
      failure: 'closed',
      timeoutMs: 100,
      policies: { limit: 1_000, windowMs: 60_000 },
      hooks: { storeError: () => storeErrors++ },
    });
    // More calls than the ring first holds, so it grows while they are in flight.
    const controllers = Array.from({ length: 300 }, () => new AbortController());
    const first = controllers.map((controller, i) =>
      track(limiter.consume(`k${i}`, { signal: controller.signal })),
    );
    // Answers out of order (every third, last first), failures, aborts; the rest hang.
    for (let i = 297; i >= 0; i -= 3) held[i]?.answer(i);
    for (let i = 1; i < 300; i += 9) held[i]?.fail();
    for (let i = 4; i < 300; i += 9) controllers[i]?.abort();
    await vi.advanceTimersByTimeAsync(99);
    const expected = (i: number): Outcome =>
      i % 3 === 0
        ? { remaining: i, source: 'store' }
        : i % 9 === 1
          ? { remaining: 0, source: 'fail-closed' }
          : i % 9 === 4
            ? 'aborted'
            : 'pending';
    expect(first.map((box) => box.outcome)).toEqual(first.map((_, i) => expected(i)));
    // The deadline: every call still waiting fails closed, and only those.
    await vi.advanceTimersByTimeAsync(1);
    expect(first.map((box) => box.outcome)).toEqual(
      first.map((_, i) => {
        const outcome = expected(i);
        return outcome === 'pending' ? { remaining: 0, source: 'fail-closed' } : outcome;
      }),
    );
    expect(storeErrors).toBe(
      first.filter((_, i) => expected(i) !== 'aborted' && i % 3 !== 0).length,
    );

    // New calls reuse the ring; late answers and failures of the first calls settle none.
    const second = Array.from({ length: 300 }, (_, i) => track(limiter.consume(`n${i}`)));
    for (let i = 0; i < 300; i++) {
      if (i % 2 === 0) held[i]?.answer(10_000 + i);
      else held[i]?.fail();
    }
    await vi.advanceTimersByTimeAsync(50);
    expect(second.every((box) => box.outcome === 'pending')).toBe(true);
    for (let i = 0; i < 300; i++) held[300 + i]?.answer(20_000 + i);
    await vi.advanceTimersByTimeAsync(0);
    expect(second.map((box) => box.outcome)).toEqual(
      second.map((_, i) => ({ remaining: 20_000 + i, source: 'store' })),
    );
    await vi.advanceTimersByTimeAsync(1_000);
    expect(unhandled).toEqual([]);
  });
});
