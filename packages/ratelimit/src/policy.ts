/**
 * Policies: what a limiter allows. Each policy names an algorithm, a limit and a window;
 * `compilePolicies` checks them once, at start-up, and fixes where each keeps its state.
 */
import { optionError } from './_option-error';

/** The algorithms a policy may use. */
export const ALGORITHMS = ['fixed-window', 'sliding-window', 'token-bucket', 'gcra'] as const;

/** One of {@link ALGORITHMS}. */
export type Algorithm = (typeof ALGORITHMS)[number];

/** A limit on how much a key may consume in a window. */
export interface PolicyOptions {
  /**
   * The policy's name, sent in `RateLimit` headers and problem bodies: letters, digits, `-`
   * and `_`.
   * @defaultValue `'<limit>-per-<window in seconds>s'`, for example `'100-per-60s'`
   */
  readonly name?: string;
  /**
   * How requests are counted.
   * - `fixed-window`: a count per window that starts at a key's first request.
   * - `sliding-window`: the current window's count plus the previous window's, weighted by
   *   how much of it still overlaps; no burst at window boundaries.
   * - `token-bucket`: `burst` tokens, refilled at `limit` per window.
   * - `gcra`: the generic cell rate algorithm; one number per key, exact `Retry-After`.
   * @defaultValue `'gcra'`
   */
  readonly algorithm?: Algorithm;
  /** How many units (requests, by default one each) a key may consume per window. */
  readonly limit: number;
  /** The window, in milliseconds. */
  readonly windowMs: number;
  /**
   * For `token-bucket` and `gcra`: how many units a key may consume at once after being
   * idle.
   * @defaultValue `limit`
   */
  readonly burst?: number;
}

/** A checked policy, with the place of its state in a key's record. */
export interface CompiledPolicy {
  /** The policy's name. */
  readonly name: string;
  /** Its algorithm. */
  readonly algorithm: Algorithm;
  /** Units per window. */
  readonly limit: number;
  /** The window in milliseconds. */
  readonly windowMs: number;
  /** Units allowed at once (token bucket and GCRA); equal to `limit` otherwise. */
  readonly burst: number;
  /** How many numbers of state the policy keeps per key. */
  readonly slots: number;
  /** Where its state starts in a key's record. */
  readonly offset: number;
}

/** Numbers of state each algorithm keeps per key. */
export const STATE_SLOTS: Readonly<Record<Algorithm, number>> = {
  'fixed-window': 2,
  'sliding-window': 3,
  'token-bucket': 2,
  gcra: 2,
};

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_WINDOW_MS = 366 * 24 * 60 * 60 * 1000;

/**
 * Checks policies and lays out their state.
 *
 * @param policies - One policy or several that must all allow a request.
 * @returns The compiled policies, in the order given.
 * @throws `ConfigurationError` naming the option and the accepted values.
 * @example
 * ```ts
 * compilePolicies([
 *   { name: 'burst', limit: 10, windowMs: 1_000 },
 *   { name: 'daily', algorithm: 'fixed-window', limit: 1_000, windowMs: 86_400_000 },
 * ]);
 * ```
 */
export function compilePolicies(
  policies: PolicyOptions | readonly PolicyOptions[],
): readonly CompiledPolicy[] {
  const list: readonly PolicyOptions[] = Array.isArray(policies)
    ? (policies as readonly PolicyOptions[])
    : [policies as PolicyOptions];
  if (list.length === 0 || list.length > 8) {
    optionError('policies', 'one to eight policies', `${list.length}`);
  }
  const names = new Set<string>();
  let offset = 0;
  return list.map((policy, index) => {
    const at = list.length > 1 ? `policies[${index}].` : '';
    const { limit, windowMs, algorithm = 'gcra' } = policy;
    if (!ALGORITHMS.includes(algorithm))
      optionError(`${at}algorithm`, ALGORITHMS.join(', '), algorithm);
    if (!Number.isInteger(limit) || limit < 1)
      optionError(`${at}limit`, 'a positive integer', limit);
    if (!Number.isInteger(windowMs) || windowMs < 1 || windowMs > MAX_WINDOW_MS) {
      optionError(
        `${at}windowMs`,
        'an integer number of milliseconds from 1 to 366 days',
        windowMs,
      );
    }
    const burst = policy.burst ?? limit;
    if (!Number.isInteger(burst) || burst < 1)
      optionError(`${at}burst`, 'a positive integer', burst);
    if (
      policy.burst !== undefined &&
      (algorithm === 'fixed-window' || algorithm === 'sliding-window')
    ) {
      optionError(`${at}burst`, 'no value for window algorithms (their burst is the limit)', burst);
    }
    const name = policy.name ?? `${limit}-per-${windowMs / 1000}s`.replace('.', '_');
    if (!NAME.test(name))
      optionError(`${at}name`, 'letters, digits, "-" and "_" (at most 64)', name);
    if (names.has(name))
      optionError(`${at}name`, 'a name no other policy of the limiter has', name);
    names.add(name);
    const slots = STATE_SLOTS[algorithm];
    const compiled = { name, algorithm, limit, windowMs, burst, slots, offset };
    offset += slots;
    return compiled;
  });
}
