import { expectTypeOf, test } from 'vitest';
import type { AppError } from '@arm/errors';
import type { ComponentType, ReactNode } from 'react';
import { ErrorBoundary, useErrorBoundary, withErrorBoundary } from './index';
import type { BoundaryReporter, ErrorBoundaryProps, FallbackProps, ResetDetails } from './index';
import { useOptimisticMutation } from './optimistic';
import type { MutationResult } from './optimistic';
import { createErrorReporter, createRootOptions } from './reporter';
import type { ErrorReporter } from './reporter';
import { silenceExpectedErrors } from './testing';

test('the fallback gets an AppError, never unknown', () => {
  expectTypeOf<FallbackProps['error']>().toEqualTypeOf<AppError>();
  expectTypeOf<FallbackProps['resetErrorBoundary']>().toEqualTypeOf<(...args: unknown[]) => void>();
  expectTypeOf<ErrorBoundaryProps['onError']>().toEqualTypeOf<
    | ((
        error: AppError,
        info: {
          readonly componentStack: string | undefined;
          readonly eventId: string | undefined;
          readonly thrown: unknown;
        },
      ) => void)
    | undefined
  >();
});

test('reset details are a union on reason', () => {
  expectTypeOf<ResetDetails['reason']>().toEqualTypeOf<'imperative-api' | 'keys' | 'retry'>();
  const details = {} as ResetDetails;
  if (details.reason === 'keys')
    expectTypeOf(details.next).toEqualTypeOf<readonly unknown[] | undefined>();
  if (details.reason === 'retry') expectTypeOf(details.attempt).toBeNumber();
});

test('run keeps the type of the work', () => {
  const { run } = useErrorBoundary();
  expectTypeOf(run(Promise.resolve(1))).toEqualTypeOf<Promise<number | undefined>>();
  expectTypeOf(run((signal: AbortSignal) => Promise.resolve(signal.aborted))).toEqualTypeOf<
    Promise<boolean | undefined>
  >();
});

test('withErrorBoundary keeps the props of the component', () => {
  const Chart: ComponentType<{ points: number[] }> = () => null;
  expectTypeOf(withErrorBoundary(Chart, { fallback: null }))
    .parameter(0)
    .toHaveProperty('points')
    .toEqualTypeOf<number[]>();
  expectTypeOf(ErrorBoundary).toBeConstructibleWith({ children: null as ReactNode });
});

test('a reporter is a boundary reporter and feeds the root options', () => {
  const reporter = createErrorReporter({ endpoint: '/errors' });
  expectTypeOf(reporter).toExtend<BoundaryReporter>();
  expectTypeOf(createRootOptions).parameter(0).toEqualTypeOf<BoundaryReporter>();
  expectTypeOf(reporter.report(new Error('x'))).toBeString();
  expectTypeOf<ReturnType<typeof createRootOptions>['onCaughtError']>().parameters.toEqualTypeOf<
    [
      error: unknown,
      info: { readonly componentStack?: string | undefined; readonly errorBoundary?: unknown },
    ]
  >();
  expectTypeOf<ErrorReporter['flush']>().returns.toEqualTypeOf<Promise<void>>();
});

test('optimistic results are discriminated on ok', () => {
  const mutation = useOptimisticMutation({
    value: 1,
    apply: (current, by: number) => current + by,
    mutation: () => Promise.resolve('saved'),
  });
  expectTypeOf(mutation.mutate).parameter(0).toBeNumber();
  expectTypeOf(mutation.mutate(1)).resolves.toEqualTypeOf<MutationResult<string>>();
  const result = {} as MutationResult<string>;
  if (result.ok) expectTypeOf(result.value).toBeString();
  else expectTypeOf(result.error).toEqualTypeOf<AppError>();
});

test('silenceExpectedErrors takes strings, patterns and predicates', () => {
  expectTypeOf(
    silenceExpectedErrors('a', /b/, (error: unknown) => error instanceof TypeError),
  ).toEqualTypeOf<() => void>();
});
