/**
 * The fallback policy: when the work fails, answer with something else (a cached value, a
 * default, a degraded result). Cancellation by the caller is never hidden behind a fallback.
 */
import type { FallbackHooks } from './hooks';
import type { ExecuteOptions, Policy, PolicyContext, Task } from './policy';
import { callHook, contextOf, functionOption, invalid } from './_internal';

/** Options of {@link fallback}. */
export interface FallbackOptions {
  /**
   * Decides which errors the fallback answers; others are rethrown.
   * @defaultValue every error, except when the caller's signal aborted
   */
  readonly shouldFallback?: (error: unknown) => boolean;
  /**
   * The dependency the work calls; labels hook events.
   * @defaultValue `'default'`
   */
  readonly name?: string;
  /** Called when the fallback answers. */
  readonly hooks?: Partial<FallbackHooks>;
}

/**
 * Creates a fallback policy.
 *
 * @typeParam F - What the fallback answers with.
 * @param handler - Builds the answer from the error and the call's context.
 * @param options - See {@link FallbackOptions}.
 * @returns A policy whose `execute` resolves with the work's result or the handler's; put it
 *   first (outermost) in a {@link pipeline}.
 * @throws ConfigurationError when `handler` is not a function.
 * @example
 * ```ts
 * const withCache = fallback(() => cachedPrices);
 * const prices = await withCache.execute(({ signal }) => pricing.list({ signal }));
 * ```
 */
export function fallback<F>(
  handler: (error: unknown, context: PolicyContext) => F | PromiseLike<F>,
  options: FallbackOptions = {},
): Policy<F> {
  if (typeof handler !== 'function') invalid('handler', 'a function', handler);
  const shouldFallback = functionOption('shouldFallback', options.shouldFallback);
  const name = options.name ?? 'default';
  const hooks = options.hooks ?? {};

  async function execute<T>(fn: Task<T>, call: ExecuteOptions = {}): Promise<T | F> {
    const context = contextOf(call);
    try {
      return await fn(context);
    } catch (error) {
      const answers = shouldFallback ? shouldFallback(error) : call.signal?.aborted !== true;
      if (!answers) throw error;
      callHook(hooks.onFallback, { dependency: name, error });
      return handler(error, context);
    }
  }

  return { execute };
}
