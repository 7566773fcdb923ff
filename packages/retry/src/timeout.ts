/**
 * The timeout policy: the work gets an AbortSignal that aborts with a `TimeoutError` after
 * `ms`, and the caller gets that error at that moment even if the work ignores its signal.
 * The link to the caller's signal is removed when the call ends, so a long-lived signal
 * collects no listeners however many calls it covers.
 */
import { TimeoutError } from '@arm/errors';
import type { TimeoutHooks } from './hooks';
import type { ExecuteOptions, Policy, Task } from './policy';
import { callHook, contextOf, linkSignal, numberOption } from './_internal';

/** Options of {@link createTimeout}. */
export interface TimeoutOptions {
  /** The time the work may take, in milliseconds (at most 2147483647, the timer limit). */
  readonly ms: number;
  /**
   * The dependency the work calls; labels hook events and the error.
   * @defaultValue `'default'`
   */
  readonly name?: string;
  /** Called when the time is up. */
  readonly hooks?: Partial<TimeoutHooks>;
}

/** A timeout policy. */
export interface TimeoutPolicy extends Policy {
  /** The dependency the work calls. */
  readonly name: string;
  /** The time the work may take, in milliseconds. */
  readonly ms: number;
}

/**
 * Creates a timeout policy.
 *
 * @remarks
 * Outermost in a pipeline it is the overall deadline (retries and their waits included);
 * innermost it is the per-attempt timeout. When the caller's signal aborts first, the work's
 * signal aborts with the caller's reason and that reason is thrown.
 *
 * @param options - See {@link TimeoutOptions}.
 * @returns A policy to `execute` work with, or to put in a {@link pipeline}.
 * @throws ConfigurationError when `ms` is not a positive number of milliseconds.
 * @example
 * ```ts
 * const timeout = createTimeout({ ms: 2_000 });
 * const response = await timeout.execute(({ signal }) => fetch(url, { signal }));
 * ```
 */
export function createTimeout(options: TimeoutOptions): TimeoutPolicy {
  const ms = numberOption('ms', options.ms, undefined, {
    exclusive: true,
    max: 2 ** 31 - 1,
    rule: 'a positive number of milliseconds, at most 2147483647',
  });
  const name = options.name ?? 'default';
  const hooks = options.hooks ?? {};

  async function execute<T>(fn: Task<T>, call: ExecuteOptions = {}): Promise<T> {
    const { signal } = call;
    signal?.throwIfAborted();
    const deadline = Math.min(call.deadline ?? Number.POSITIVE_INFINITY, Date.now() + ms);
    const { controller, unlink } = linkSignal(signal);
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener(
        'abort',
        () => {
          reject(controller.signal.reason as Error);
        },
        { once: true },
      );
    });
    const timer = setTimeout(() => {
      callHook(hooks.onTimeout, { dependency: name, timeoutMs: ms });
      controller.abort(
        new TimeoutError(`[@arm/retry] "${name}" did not finish within ${ms} ms`, {
          details: { dependency: name, timeoutMs: ms },
        }),
      );
    }, ms);
    try {
      const context = { ...contextOf(call, controller.signal), deadline };
      const work = Promise.resolve().then(() => fn(context));
      return await Promise.race([work, aborted]);
    } finally {
      clearTimeout(timer);
      unlink();
    }
  }

  return { name, ms, execute };
}
