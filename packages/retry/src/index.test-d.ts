import { describe, expectTypeOf, it } from 'vitest';
import {
  createBulkhead,
  createCircuitBreaker,
  createResilience,
  createRetryBudget,
  createRetryPolicy,
  createTimeout,
  fallback,
  pipeline,
  retry,
} from './index';
import type { CircuitState, Policy, PolicyContext, RetryHooks } from './index';

describe('public types', () => {
  it('policies keep the result type of the work', () => {
    const policy = createRetryPolicy();
    expectTypeOf(policy.execute(() => 42)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(policy.execute(() => Promise.resolve('x'))).toEqualTypeOf<Promise<string>>();
    expectTypeOf(retry(({ signal, attempt }) => ({ signal, attempt }))).toEqualTypeOf<
      Promise<{ signal: AbortSignal; attempt: number }>
    >();
    expectTypeOf(createTimeout({ ms: 1 }).execute(() => true)).toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(createBulkhead({ concurrency: 1 }).execute(() => 1n)).toEqualTypeOf<
      Promise<bigint>
    >();
  });

  it('a fallback widens the result with its own value, also inside a pipeline', () => {
    expectTypeOf(fallback(() => null).execute(() => 1)).toEqualTypeOf<Promise<number | null>>();
    const composed = pipeline(
      fallback(() => 'cached' as const),
      createRetryPolicy(),
    );
    expectTypeOf(composed.execute(() => 1)).toEqualTypeOf<Promise<number | 'cached'>>();
    expectTypeOf(pipeline(createRetryPolicy(), createTimeout({ ms: 1 }))).toEqualTypeOf<Policy>();
  });

  it('a breaker around a function types fire() by it', () => {
    const breaker = createCircuitBreaker((id: string, n: number) => Promise.resolve({ id, n }));
    expectTypeOf<Parameters<typeof breaker.fire>>().toEqualTypeOf<[string, number]>();
    expectTypeOf(breaker.fire('a', 1)).toEqualTypeOf<Promise<{ id: string; n: number }>>();
    expectTypeOf(createCircuitBreaker().state).toEqualTypeOf<CircuitState>();
    // @ts-expect-error: the arguments are checked
    void breaker.fire(1, 1);
  });

  it('options are checked', () => {
    // @ts-expect-error: jitter is a literal union
    createRetryPolicy({ jitter: 'half' });
    // @ts-expect-error: ms is required
    createTimeout({});
    // @ts-expect-error: concurrency is required
    createBulkhead({ queue: 1 });
    createRetryPolicy({ budget: createRetryBudget({ ratio: 0.1 }) });
    createResilience({ dependencies: { payments: { retry: false, deadlineMs: 5_000 } } });
  });

  it('the work gets a signal and an attempt number; hooks are typed events', () => {
    expectTypeOf<PolicyContext>().toEqualTypeOf<{
      readonly signal: AbortSignal;
      readonly attempt: number;
      readonly deadline: number;
    }>();
    expectTypeOf<Parameters<RetryHooks['onRetry']>[0]['delayMs']>().toEqualTypeOf<number>();
  });
});
