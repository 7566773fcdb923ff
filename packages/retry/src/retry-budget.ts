/**
 * A retry budget (Finagle's `RetryBudget`, tower's `TpsBudget`): over a sliding window of
 * `ttlMs`, retries may add at most `ratio` of the calls made to a dependency, plus a floor of
 * `minPerSecond` so a quiet dependency can still be retried. One budget is shared by every
 * retry policy that talks to the same dependency, so retries cannot multiply an outage.
 */
import type { RetryBudgetHooks } from './hooks';
import { callHook, invalid, numberOption, systemClock } from './_internal';
import type { Clock } from './_internal';

/** Options of {@link createRetryBudget}. */
export interface RetryBudgetOptions {
  /**
   * The share of calls that retries may add, from 0 to 1 (0.2 = at most 20 % more traffic).
   * @defaultValue `0.2`
   */
  readonly ratio?: number;
  /**
   * Retries per second always allowed, whatever the traffic, so low-volume calls can retry.
   * @defaultValue `10`
   */
  readonly minPerSecond?: number;
  /**
   * How long a call or a retry counts, in milliseconds (the sliding window).
   * @defaultValue `10_000`
   */
  readonly ttlMs?: number;
  /**
   * The dependency this budget protects; labels hook events.
   * @defaultValue `'default'`
   */
  readonly name?: string;
  /**
   * The clock, in milliseconds.
   * @defaultValue `Date.now`
   */
  readonly now?: () => number;
  /** Called when a retry is refused. */
  readonly hooks?: Partial<RetryBudgetHooks>;
}

/** What a retry budget holds now. */
export interface RetryBudgetSnapshot {
  /** Calls recorded in the window. */
  readonly requests: number;
  /** Retries taken in the window. */
  readonly retries: number;
  /** Retries that may still be taken now. */
  readonly available: number;
}

/** A retry budget, shared by the retry policies of one dependency. */
export interface RetryBudget {
  /** The dependency this budget protects. */
  readonly name: string;
  /** Records a call (a first attempt): it adds `ratio` of a retry to the budget. */
  recordRequest(): void;
  /**
   * Takes one retry from the budget.
   *
   * @returns `true` when the retry may go ahead, `false` (and `onBudgetExhausted` fires) when
   *   the budget is spent.
   */
  tryRetry(): boolean;
  /** The counts in the current window. */
  snapshot(): RetryBudgetSnapshot;
}

/** The window is kept in this many buckets; a count expires with its bucket. */
const BUCKETS = 10;

/**
 * Creates a retry budget.
 *
 * @param options - Ratio, floor, window; see {@link RetryBudgetOptions}.
 * @returns A budget to pass as `budget` to every retry policy of one dependency.
 * @throws ConfigurationError when an option is out of range.
 * @example
 * ```ts
 * const budget = createRetryBudget({ ratio: 0.1, minPerSecond: 5, ttlMs: 10_000 });
 * const policy = createRetryPolicy({ attempts: 3, budget });
 * ```
 */
export function createRetryBudget(options: RetryBudgetOptions = {}): RetryBudget {
  const ratio = numberOption('ratio', options.ratio, 0.2, { max: 1, rule: 'a number from 0 to 1' });
  const minPerSecond = numberOption('minPerSecond', options.minPerSecond, 10, {
    rule: 'a non-negative number of retries per second',
  });
  const ttlMs = numberOption('ttlMs', options.ttlMs, 10_000, {
    min: 1,
    rule: 'a number of milliseconds of at least 1',
  });
  if (ttlMs === Number.POSITIVE_INFINITY)
    invalid('ttlMs', 'a finite number of milliseconds', ttlMs);
  const name = options.name ?? 'default';
  const now: Clock = options.now ?? systemClock;
  const hooks = options.hooks ?? {};
  const floor = (minPerSecond * ttlMs) / 1000;
  const bucketMs = ttlMs / BUCKETS;
  // Ring of buckets: the epoch (window index) each bucket currently counts, and its counts.
  const epochs: number[] = new Array<number>(BUCKETS).fill(-1);
  const requests: number[] = new Array<number>(BUCKETS).fill(0);
  const retries: number[] = new Array<number>(BUCKETS).fill(0);

  function current(): number {
    const epoch = Math.floor(now() / bucketMs);
    const slot = epoch % BUCKETS;
    if (epochs[slot] !== epoch) {
      epochs[slot] = epoch;
      requests[slot] = 0;
      retries[slot] = 0;
    }
    return slot;
  }

  function snapshot(): RetryBudgetSnapshot {
    const oldest = Math.floor(now() / bucketMs) - BUCKETS + 1;
    let requestCount = 0;
    let retryCount = 0;
    for (let slot = 0; slot < BUCKETS; slot++) {
      if ((epochs[slot] ?? -1) >= oldest) {
        requestCount += requests[slot] ?? 0;
        retryCount += retries[slot] ?? 0;
      }
    }
    const available = Math.max(0, Math.floor(floor + ratio * requestCount - retryCount));
    return { requests: requestCount, retries: retryCount, available };
  }

  return {
    name,
    recordRequest() {
      const slot = current();
      requests[slot] = (requests[slot] ?? 0) + 1;
    },
    tryRetry() {
      const state = snapshot();
      if (state.available < 1) {
        callHook(hooks.onBudgetExhausted, {
          dependency: name,
          requests: state.requests,
          retries: state.retries,
        });
        return false;
      }
      const slot = current();
      retries[slot] = (retries[slot] ?? 0) + 1;
      return true;
    },
    snapshot,
  };
}
