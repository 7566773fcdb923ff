/**
 * Backoff delays as pure functions of the retry number, the previous delay and a random
 * source, so every formula is testable without timers.
 *
 * - `none`: `min(max, initial * factor^(n-1))`.
 * - `full` (AWS "full jitter", gRPC A6): `random(0, min(max, initial * factor^(n-1)))`.
 * - `decorrelated` (AWS "decorrelated jitter"): `min(max, random(initial, previous * 3))`.
 */

/** How the exponential delay is randomised. */
export type Jitter = 'none' | 'full' | 'decorrelated';

/** The settings of a backoff. */
export interface BackoffOptions {
  /**
   * The delay before the first retry, in milliseconds.
   * @defaultValue `100`
   */
  readonly initialDelayMs?: number;
  /**
   * The longest delay between two attempts, in milliseconds.
   * @defaultValue `10_000`
   */
  readonly maxDelayMs?: number;
  /**
   * The growth factor of the exponential delay.
   * @defaultValue `2`
   */
  readonly factor?: number;
  /**
   * How the delay is randomised, so many clients do not retry in lockstep.
   * @defaultValue `'full'`
   */
  readonly jitter?: Jitter;
}

/**
 * Computes the delay before retry number `retry`.
 *
 * @param options - The backoff settings; defaults as in {@link BackoffOptions}.
 * @param retry - The retry number, from 1 (the delay after the first failed attempt).
 * @param previousDelayMs - The delay used before the previous retry (decorrelated jitter
 *   grows from it); pass `0` for the first retry.
 * @param random - A source of numbers in [0, 1).
 * @returns The delay in milliseconds, an integer between 0 and `maxDelayMs`.
 * @example
 * ```ts
 * backoffDelay({ jitter: 'none', initialDelayMs: 100 }, 3, 0, Math.random); // 400
 * ```
 */
export function backoffDelay(
  options: BackoffOptions,
  retry: number,
  previousDelayMs: number,
  random: () => number,
): number {
  const { initialDelayMs = 100, maxDelayMs = 10_000, factor = 2, jitter = 'full' } = options;
  if (jitter === 'decorrelated') {
    const previous = Math.max(initialDelayMs, previousDelayMs);
    const upper = Math.min(maxDelayMs, previous * 3);
    // `upper` may be below `initialDelayMs` only when max < initial: then max wins.
    const delay = initialDelayMs + random() * Math.max(0, upper - initialDelayMs);
    return Math.round(Math.min(maxDelayMs, delay));
  }
  // factor^(retry-1) overflows to Infinity and min() keeps it at max; 0 * Infinity would be
  // NaN, so a zero initial delay stays zero.
  const exponential =
    initialDelayMs === 0 ? 0 : Math.min(maxDelayMs, initialDelayMs * factor ** (retry - 1));
  return Math.round(jitter === 'full' ? random() * exponential : exponential);
}
