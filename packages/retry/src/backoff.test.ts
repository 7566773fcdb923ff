import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';

const half = (): number => 0.5;

describe('backoffDelay', () => {
  it('grows exponentially without jitter and stops at the maximum', () => {
    const options = { jitter: 'none', initialDelayMs: 100, maxDelayMs: 1_000 } as const;
    const delays = [1, 2, 3, 4, 5].map((retry) => backoffDelay(options, retry, 0, half));
    expect(delays).toEqual([100, 200, 400, 800, 1_000]);
  });

  it('uses the factor', () => {
    expect(backoffDelay({ jitter: 'none', initialDelayMs: 10, factor: 3 }, 3, 0, half)).toBe(90);
  });

  it('full jitter draws between 0 and the exponential delay', () => {
    const options = { jitter: 'full', initialDelayMs: 100 } as const;
    expect(backoffDelay(options, 3, 0, () => 0)).toBe(0);
    expect(backoffDelay(options, 3, 0, half)).toBe(200);
    expect(backoffDelay(options, 3, 0, () => 0.999_999)).toBe(400);
  });

  it('is full jitter with 100 ms initial, 10 s max and factor 2 by default', () => {
    expect(backoffDelay({}, 1, 0, half)).toBe(50);
    expect(backoffDelay({}, 30, 0, half)).toBe(5_000);
  });

  it('decorrelated jitter draws between the initial delay and three times the previous one', () => {
    const options = { jitter: 'decorrelated', initialDelayMs: 100, maxDelayMs: 10_000 } as const;
    expect(backoffDelay(options, 1, 0, () => 0)).toBe(100);
    expect(backoffDelay(options, 1, 0, () => 0.999_999)).toBe(300);
    expect(backoffDelay(options, 2, 300, half)).toBe(100 + 0.5 * (900 - 100));
    expect(backoffDelay(options, 9, 9_000, () => 0.999_999)).toBe(10_000);
  });

  it('decorrelated jitter with a maximum below the initial delay answers the maximum', () => {
    const options = { jitter: 'decorrelated', initialDelayMs: 500, maxDelayMs: 200 } as const;
    expect(backoffDelay(options, 1, 0, half)).toBe(200);
  });

  it('never answers NaN, even for a zero initial delay at retry 1025 (0 * Infinity)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('none', 'full', 'decorrelated' as const),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        (jitter, retry, previous, random, initialDelayMs, maxDelayMs) => {
          const delay = backoffDelay(
            { jitter, initialDelayMs, maxDelayMs },
            retry,
            previous,
            () => random,
          );
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(maxDelayMs);
        },
      ),
    );
  });
});
