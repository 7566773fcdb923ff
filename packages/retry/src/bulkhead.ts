/**
 * The bulkhead: at most `concurrency` calls run at once, at most `queue` more wait for a slot,
 * and the rest are refused at once with `BulkheadRejectedError`. A waiting call whose signal
 * aborts leaves the queue immediately, so aborted calls never starve the others.
 */
import { defineError } from '@arm/errors';
import type { BulkheadHooks } from './hooks';
import type { ExecuteOptions, Policy, Task } from './policy';
import { callHook, canAbort, contextOf, numberOption } from './_internal';

/** The details of a {@link BulkheadRejectedError} (a type alias, as error details must be). */
// eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- an interface has no index signature, which AppError details need
export type BulkheadRejectedDetails = {
  /** The dependency whose bulkhead is full. */
  readonly dependency: string;
  /** The calls that may run at once. */
  readonly concurrency: number;
  /** The calls that may wait. */
  readonly queue: number;
};

/**
 * A bulkhead refused a call: every slot and queue place was taken. HTTP 503, code
 * `BULKHEAD_REJECTED`, not retryable (retrying would add to the overload it reports).
 *
 * @example
 * ```ts
 * if (BulkheadRejectedError.is(error)) metrics.shed.inc();
 * ```
 */
export const BulkheadRejectedError = defineError({
  code: 'BULKHEAD_REJECTED',
  status: 503,
  title: 'Bulkhead full',
  message: (details: BulkheadRejectedDetails) =>
    `[@arm/retry] the "${details.dependency}" bulkhead is full (${details.concurrency} running, ${details.queue} queued)`,
});

/** Options of {@link createBulkhead}. */
export interface BulkheadOptions {
  /** The most calls that may run at once; an integer of at least 1. */
  readonly concurrency: number;
  /**
   * The most calls that may wait for a slot; others are refused.
   * @defaultValue `0`
   */
  readonly queue?: number;
  /**
   * The dependency the calls go to; labels hook events and errors.
   * @defaultValue `'default'`
   */
  readonly name?: string;
  /** Called when a call is refused. */
  readonly hooks?: Partial<BulkheadHooks>;
}

/** A bulkhead policy. */
export interface Bulkhead extends Policy {
  /** The dependency the calls go to. */
  readonly name: string;
  /** Calls running now. */
  readonly running: number;
  /** Calls waiting for a slot now. */
  readonly queued: number;
}

interface Waiter {
  readonly resolve: () => void;
}

/**
 * Creates a bulkhead.
 *
 * @param options - See {@link BulkheadOptions}.
 * @returns A policy to `execute` work with, or to put in a {@link pipeline}.
 * @throws ConfigurationError when `concurrency` or `queue` is not a valid integer.
 * @example
 * ```ts
 * const bulkhead = createBulkhead({ concurrency: 10, queue: 50, name: 'reports' });
 * const pdf = await bulkhead.execute(({ signal }) => renderReport(id, { signal }));
 * ```
 */
export function createBulkhead(options: BulkheadOptions): Bulkhead {
  const concurrency = numberOption('concurrency', options.concurrency, undefined, {
    min: 1,
    integer: true,
    rule: 'an integer of at least 1',
  });
  const queue = numberOption('queue', options.queue, 0, {
    integer: true,
    rule: 'a non-negative integer',
  });
  const name = options.name ?? 'default';
  const hooks = options.hooks ?? {};
  let running = 0;
  const waiting: Waiter[] = [];

  function release(): void {
    const next = waiting.shift();
    // The slot passes straight to the next waiter, so `running` does not change.
    if (next) next.resolve();
    else running--;
  }

  function wait(caller: AbortSignal | undefined): Promise<void> {
    const signal = canAbort(caller) ? caller : undefined;
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        waiting.splice(waiting.indexOf(waiter), 1);
        reject(signal?.reason as Error);
      };
      const waiter: Waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      waiting.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async function execute<T>(fn: Task<T>, call: ExecuteOptions = {}): Promise<T> {
    const { signal } = call;
    signal?.throwIfAborted();
    if (running < concurrency) running++;
    else if (waiting.length < queue) await wait(signal);
    else {
      callHook(hooks.onBulkheadRejected, { dependency: name, concurrency, queue });
      throw new BulkheadRejectedError({ dependency: name, concurrency, queue });
    }
    try {
      return await fn(contextOf(call));
    } finally {
      release();
    }
  }

  return {
    name,
    get running() {
      return running;
    },
    get queued() {
      return waiting.length;
    },
    execute,
  };
}
