/**
 * The retry policy, on p-retry. p-retry runs the attempt loop and counts attempts; ARM adds what
 * p-retry lacks: full and decorrelated jitter, delays the error asks for (`Retry-After`), an
 * injectable clock for the elapsed-time cap, the shared retry budget, and ARM's error taxonomy.
 *
 * How it sits on p-retry: p-retry's own delay is switched off (`minTimeout: 0`), and the
 * decision plus the wait happen in its `shouldRetry` callback, which p-retry calls last, after
 * its own checks, and awaits. Every failure is wrapped before p-retry sees it, because p-retry
 * never retries a non-network `TypeError` and turns non-errors into `TypeError`s; the original
 * is unwrapped before it reaches the caller.
 */
import pRetry from 'p-retry';
import { backoffDelay } from './backoff';
import type { Jitter } from './backoff';
import { isRetryableError, retryAfterMs as askedDelay } from './classify';
import type { GiveUpReason, RetryHooks } from './hooks';
import type { ExecuteOptions, Policy, Task } from './policy';
import type { RetryBudget } from './retry-budget';
import {
  callHook,
  contextOf,
  functionOption,
  invalid,
  numberOption,
  sleep,
  systemClock,
} from './_internal';

/** What a `shouldRetry` option is told about a failed attempt. */
export interface RetryDecisionContext {
  /** The attempt that failed, from 1. */
  readonly attempt: number;
  /** Milliseconds since the call started. */
  readonly elapsedMs: number;
}

/** Options of {@link createRetryPolicy} and {@link retry}. */
export interface RetryOptions {
  /**
   * The most attempts, the first one included (`3` = one call and up to two retries).
   * @defaultValue `3`
   */
  readonly attempts?: number;
  /**
   * The longest time, in milliseconds, from the first attempt to the start of the last: no
   * retry starts whose delay would end after it.
   * @defaultValue `Infinity`
   */
  readonly maxElapsedMs?: number;
  /**
   * The delay before the first retry, in milliseconds.
   * @defaultValue `100`
   */
  readonly initialDelayMs?: number;
  /**
   * The longest backoff delay, in milliseconds.
   * @defaultValue `10_000`
   */
  readonly maxDelayMs?: number;
  /**
   * The growth factor of the exponential backoff.
   * @defaultValue `2`
   */
  readonly factor?: number;
  /**
   * How delays are randomised: `'full'` (random between 0 and the exponential delay),
   * `'decorrelated'` (random between the initial delay and three times the previous one) or
   * `'none'`.
   * @defaultValue `'full'`
   */
  readonly jitter?: Jitter;
  /**
   * The longest wait an error may ask for with `Retry-After` (or `details.retryAfterMs`). An
   * error that asks for longer is not retried: the caller gets it at once, rather than a retry
   * that the server said would fail.
   * @defaultValue `30_000`
   */
  readonly maxRetryAfterMs?: number;
  /**
   * Decides whether a failed attempt is retried. The attempts, deadline and budget still apply.
   * @defaultValue {@link isRetryableError}: 429, 408, retryable 5xx and network errors
   */
  readonly shouldRetry?: (error: unknown, context: RetryDecisionContext) => boolean;
  /** The retry budget of the dependency; when it is spent, the error comes back at once. */
  readonly budget?: RetryBudget;
  /**
   * The dependency this policy calls; labels hook events.
   * @defaultValue the budget's name, else `'default'`
   */
  readonly name?: string;
  /**
   * The source of randomness for jitter, returning numbers in [0, 1).
   * @defaultValue `Math.random`
   */
  readonly random?: () => number;
  /**
   * The clock, in milliseconds, for `maxElapsedMs` and HTTP-date `Retry-After` values.
   * @defaultValue `Date.now`
   */
  readonly now?: () => number;
  /** Metrics hooks: attempt, retry (with delay and reason), give-up. */
  readonly hooks?: Partial<RetryHooks>;
}

/** A retry policy: runs work and retries it by its options. */
export interface RetryPolicy extends Policy {
  /** The dependency this policy calls. */
  readonly name: string;
}

/** The error p-retry sees: the original, wrapped so p-retry's own rules never apply to it. */
class AttemptFailed extends Error {
  constructor(readonly error: unknown) {
    super('attempt failed');
  }
}

const JITTERS: readonly Jitter[] = ['none', 'full', 'decorrelated'];

/**
 * Creates a retry policy.
 *
 * @remarks
 * By default only errors that may succeed on another try are retried (see
 * {@link isRetryableError}); a 4xx other than 429/408 never is. The delay before a retry is the
 * larger of the backoff and what the error asks for (`Retry-After` on a 429/503, or an open
 * circuit's time until its trial). A retry is refused, and the last error thrown, when the
 * attempts are used up, the delay would pass `maxElapsedMs`, the error asks for more than
 * `maxRetryAfterMs`, the budget is spent, or the signal aborts (then its reason is thrown).
 *
 * @param options - See {@link RetryOptions}.
 * @returns A policy to `execute` work with, or to put in a {@link pipeline}.
 * @throws ConfigurationError when an option is out of range.
 * @example
 * ```ts
 * const policy = createRetryPolicy({ attempts: 4, jitter: 'decorrelated', maxElapsedMs: 5_000 });
 * const user = await policy.execute(({ signal }) => fetchUser(id, { signal }));
 * ```
 */
export function createRetryPolicy(options: RetryOptions = {}): RetryPolicy {
  const attempts = numberOption('attempts', options.attempts, 3, {
    min: 1,
    integer: true,
    rule: 'an integer of at least 1 (the first attempt included)',
  });
  const maxElapsedMs = numberOption('maxElapsedMs', options.maxElapsedMs, Infinity, {
    rule: 'a non-negative number of milliseconds',
  });
  const backoff = {
    initialDelayMs: numberOption('initialDelayMs', options.initialDelayMs, 100, {
      rule: 'a non-negative number of milliseconds',
    }),
    maxDelayMs: numberOption('maxDelayMs', options.maxDelayMs, 10_000, {
      rule: 'a non-negative number of milliseconds',
    }),
    factor: numberOption('factor', options.factor, 2, { min: 1, rule: 'a number of at least 1' }),
    jitter: options.jitter ?? 'full',
  };
  if (!JITTERS.includes(backoff.jitter)) {
    invalid('jitter', `one of ${JITTERS.map((j) => `"${j}"`).join(', ')}`, backoff.jitter);
  }
  const maxRetryAfterMs = numberOption('maxRetryAfterMs', options.maxRetryAfterMs, 30_000, {
    rule: 'a non-negative number of milliseconds',
  });
  const shouldRetry = functionOption('shouldRetry', options.shouldRetry);
  const random = functionOption('random', options.random) ?? Math.random;
  const now = functionOption('now', options.now) ?? systemClock;
  const { budget, hooks = {} } = options;
  const name = options.name ?? budget?.name ?? 'default';

  async function execute<T>(fn: Task<T>, call: ExecuteOptions = {}): Promise<T> {
    const { signal } = call;
    const deadline = call.deadline ?? Number.POSITIVE_INFINITY;
    const started = now();
    let previousDelay = 0;
    budget?.recordRequest();

    const giveUp = (attempt: number, reason: GiveUpReason, error: unknown): false => {
      callHook(hooks.onGiveUp, { dependency: name, attempt, reason, error });
      return false;
    };

    /** Decides on a failed attempt, and waits before the retry; p-retry awaits it. */
    async function decide(attempt: number, error: unknown): Promise<boolean> {
      if (signal?.aborted === true) return giveUp(attempt, 'aborted', error);
      const elapsedMs = now() - started;
      const retryable = shouldRetry
        ? shouldRetry(error, { attempt, elapsedMs })
        : isRetryableError(error);
      if (!retryable) return giveUp(attempt, 'not-retryable', error);
      const asked = askedDelay(error, now());
      if (asked !== undefined && asked > maxRetryAfterMs) {
        return giveUp(attempt, 'retry-after-too-long', error);
      }
      const backoffMs = backoffDelay(backoff, attempt, previousDelay, random);
      const delayMs = Math.max(backoffMs, asked ?? 0);
      // The policy's own cap, and an outer timeout's deadline: a wait it would cut short is
      // pointless, and the caller is better served by the real error than by a TimeoutError.
      if (elapsedMs + delayMs > maxElapsedMs || Date.now() + delayMs >= deadline) {
        return giveUp(attempt, 'deadline', error);
      }
      if (budget !== undefined && !budget.tryRetry()) {
        return giveUp(attempt, 'budget-exhausted', error);
      }
      previousDelay = backoffMs;
      callHook(hooks.onRetry, {
        dependency: name,
        attempt,
        delayMs,
        reason: asked !== undefined ? 'retry-after' : shouldRetry ? 'custom' : 'retryable-error',
        error,
      });
      if (delayMs > 0) await sleep(delayMs, signal);
      return true;
    }

    try {
      return await pRetry(
        async (attempt) => {
          callHook(hooks.onAttempt, { dependency: name, attempt });
          try {
            return await fn(contextOf({ ...call, attempt }));
          } catch (error) {
            throw new AttemptFailed(error);
          }
        },
        {
          retries: attempts - 1,
          minTimeout: 0,
          factor: 1,
          randomize: false,
          ...(signal ? { signal } : {}),
          // Called when p-retry has no retries left: the last attempt failed.
          onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
            if (retriesLeft === 0 && error instanceof AttemptFailed) {
              giveUp(attemptNumber, 'attempts-exhausted', error.error);
            }
          },
          shouldRetry: ({ error, attemptNumber }) =>
            decide(attemptNumber, error instanceof AttemptFailed ? error.error : error),
        },
      );
    } catch (error) {
      throw error instanceof AttemptFailed ? error.error : error;
    }
  }

  return { name, execute };
}

/**
 * Runs `fn` with retries: a one-off {@link createRetryPolicy}.
 *
 * @param fn - The work; it receives the signal to honour and the attempt number.
 * @param options - The retry options plus the caller's `signal`.
 * @returns What `fn` resolves with.
 * @throws The last attempt's error when retries stop; the signal's reason when it aborts;
 *   ConfigurationError when an option is out of range.
 * @example
 * ```ts
 * const body = await retry(async ({ signal }) => {
 *   const response = await fetch(url, { signal });
 *   if (!response.ok) throw fromProblem(await response.json(), response);
 *   return response.json();
 * }, { attempts: 3, signal: AbortSignal.timeout(10_000) });
 * ```
 */
export function retry<T>(
  fn: Task<T>,
  options: RetryOptions & { readonly signal?: AbortSignal | undefined } = {},
): Promise<T> {
  return createRetryPolicy(options).execute(fn, { signal: options.signal });
}
