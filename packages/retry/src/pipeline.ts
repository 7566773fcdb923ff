/**
 * `pipeline` composes policies: the first is outermost, the last runs the work. The order is
 * the caller's to choose; the documented one (and the one `createResilience` builds) is
 * fallback -> overall deadline -> bulkhead -> retry with budget -> breaker -> attempt timeout,
 * so the breaker sees every attempt and each attempt has its own timeout.
 */
import type { ExecuteOptions, Policy, Task } from './policy';
import { contextOf } from './_internal';

/**
 * Composes policies into one, the first outermost.
 *
 * @typeParam E - What a fallback among the policies may answer with.
 * @param policies - The policies, outermost first; with none, the work runs as it is.
 * @returns A policy that runs work through all of them.
 * @example
 * ```ts
 * const payments = pipeline(
 *   createTimeout({ ms: 10_000 }),             // overall deadline
 *   createRetryPolicy({ attempts: 3, budget }), // retry with budget
 *   createCircuitBreaker({ name: 'payments' }), // breaker sees every attempt
 *   createTimeout({ ms: 2_000 }),               // per-attempt timeout
 * );
 * await payments.execute(({ signal }) => charge(order, { signal }), { signal: request.signal });
 * ```
 */
export function pipeline<E = never>(...policies: readonly Policy<E>[]): Policy<E> {
  function run<T>(index: number, fn: Task<T>, options: ExecuteOptions): Promise<T | E> {
    const policy = policies[index];
    if (policy === undefined) {
      const context = contextOf(options);
      return Promise.resolve().then(() => fn(context));
    }
    return policy.execute<T | E>((context) => run(index + 1, fn, context), options);
  }

  return {
    execute<T>(fn: Task<T>, options: ExecuteOptions = {}): Promise<T | E> {
      return run(0, fn, options);
    },
  };
}
