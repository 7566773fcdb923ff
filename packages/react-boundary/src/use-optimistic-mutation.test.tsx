import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { ConflictError, RateLimitError } from '@arm/errors';
import type { AppError } from '@arm/errors';
import { ErrorBoundary } from './error-boundary';
import { silenceExpectedErrors } from './silence-expected-errors';
import { useOptimisticMutation } from './use-optimistic-mutation';
import type {
  MutationResult,
  OptimisticMutation,
  OptimisticMutationOptions,
} from './use-optimistic-mutation';

beforeEach(() => silenceExpectedErrors(/conflict|slow down/i));
afterEach(cleanup);

/** A mutation whose calls the test settles one by one. */
function controlled<R>() {
  const calls: {
    input: number;
    signal: AbortSignal;
    resolve: (value: R) => void;
    reject: (error: unknown) => void;
  }[] = [];
  const mutation = (input: number, signal: AbortSignal) =>
    new Promise<R>((resolve, reject) => calls.push({ input, signal, resolve, reject }));
  return { calls, mutation };
}

let hook: OptimisticMutation<number, number, number> | undefined;
function Counter(props: Omit<OptimisticMutationOptions<number, number, number>, 'apply'>) {
  hook = useOptimisticMutation({ ...props, apply: (value, by) => value + by });
  return (
    <p>
      value {hook.value} pending {hook.pending} error {hook.error?.code ?? 'none'}
    </p>
  );
}

it('shows the change at once and keeps it when the mutation succeeds', async () => {
  const { calls, mutation } = controlled<number>();
  const onSuccess = vi.fn();
  render(<Counter value={10} mutation={mutation} onSuccess={onSuccess} />);
  let result: Promise<MutationResult<number>> | undefined;
  act(() => {
    result = hook?.mutate(5);
  });
  expect(screen.getByText('value 15 pending 1 error none')).toBeTruthy();
  await act(async () => {
    calls[0]?.resolve(99);
    await result;
  });
  expect(screen.getByText('value 15 pending 0 error none')).toBeTruthy();
  await expect(result).resolves.toEqual({ ok: true, value: 99 });
  expect(onSuccess).toHaveBeenCalledWith(99, 5);
});

it('reconciles the confirmed value with the server result', async () => {
  const { calls, mutation } = controlled<number>();
  render(<Counter value={10} mutation={mutation} reconcile={(_confirmed, saved) => saved} />);
  act(() => void hook?.mutate(5));
  await act(async () => {
    calls[0]?.resolve(42);
    await Promise.resolve();
  });
  expect(screen.getByText('value 42 pending 0 error none')).toBeTruthy();
});

it('rolls back only the failed change and surfaces the typed error to the caller', async () => {
  const { calls, mutation } = controlled<number>();
  const onError = vi.fn();
  render(<Counter value={10} mutation={mutation} onError={onError} />);
  let failed: Promise<MutationResult<number>> | undefined;
  act(() => {
    failed = hook?.mutate(1);
    void hook?.mutate(100);
  });
  expect(screen.getByText('value 111 pending 2 error none')).toBeTruthy();
  await act(async () => {
    calls[0]?.reject(Object.assign(new Error('version conflict'), { status: 409 }));
    await failed;
  });
  expect(screen.getByText('value 110 pending 1 error CONFLICT')).toBeTruthy();
  const outcome = await failed;
  expect(outcome?.ok).toBe(false);
  expect(outcome?.ok === false && outcome.error).toBeInstanceOf(ConflictError);
  expect(onError).toHaveBeenCalledWith(expect.any(ConflictError), 1);
  await act(async () => {
    calls[1]?.resolve(0);
    await Promise.resolve();
  });
  expect(screen.getByText('value 110 pending 0 error none')).toBeTruthy();
  act(() => {
    hook?.clearError();
  });
});

it('clearError forgets the last error', async () => {
  const { calls, mutation } = controlled<number>();
  render(<Counter value={1} mutation={mutation} />);
  act(() => void hook?.mutate(1));
  await act(async () => {
    calls[0]?.reject(new ConflictError('conflict'));
    await Promise.resolve();
  });
  expect(screen.getByText('value 1 pending 0 error CONFLICT')).toBeTruthy();
  act(() => {
    hook?.clearError();
  });
  expect(screen.getByText('value 1 pending 0 error none')).toBeTruthy();
});

it('takes a new confirmed value from the caller as the base under pending changes', () => {
  const { mutation } = controlled<number>();
  function Parent() {
    const [server, setServer] = useState(10);
    return (
      <>
        <button
          onClick={() => {
            setServer(20);
          }}
        >
          refetch
        </button>
        <Counter value={server} mutation={mutation} />
      </>
    );
  }
  render(<Parent />);
  act(() => void hook?.mutate(1));
  fireEvent.click(screen.getByText('refetch'));
  expect(screen.getByText('value 21 pending 1 error none')).toBeTruthy();
});

it('sends failures to the nearest boundary with throwOnError', async () => {
  const { calls, mutation } = controlled<number>();
  const decide = vi.fn((error: AppError) => error.code === 'RATE_LIMITED');
  render(
    <ErrorBoundary fallbackRender={({ error }) => <p>boundary {error.code}</p>}>
      <Counter value={0} mutation={mutation} throwOnError={decide} />
    </ErrorBoundary>,
  );
  act(() => {
    void hook?.mutate(1);
    void hook?.mutate(2);
  });
  await act(async () => {
    calls[0]?.reject(new ConflictError('conflict'));
    await Promise.resolve();
  });
  expect(screen.getByText('value 2 pending 1 error CONFLICT')).toBeTruthy();
  await act(async () => {
    calls[1]?.reject(new RateLimitError('slow down'));
    await Promise.resolve();
  });
  expect(screen.getByText('boundary RATE_LIMITED')).toBeTruthy();
});

it('throws every failure to the boundary with throwOnError: true', async () => {
  const { calls, mutation } = controlled<number>();
  render(
    <ErrorBoundary fallbackRender={({ error }) => <p>boundary {error.code}</p>}>
      <Counter value={0} mutation={mutation} throwOnError />
    </ErrorBoundary>,
  );
  act(() => void hook?.mutate(1));
  await act(async () => {
    calls[0]?.reject(new ConflictError('conflict'));
    await Promise.resolve();
  });
  expect(screen.getByText('boundary CONFLICT')).toBeTruthy();
});

it('aborts the mutation on unmount and leaves state alone afterwards', async () => {
  const { calls, mutation } = controlled<number>();
  const onSuccess = vi.fn();
  const onError = vi.fn();
  const { unmount } = render(
    <Counter value={0} mutation={mutation} onSuccess={onSuccess} onError={onError} />,
  );
  let first: Promise<MutationResult<number>> | undefined;
  let second: Promise<MutationResult<number>> | undefined;
  act(() => {
    first = hook?.mutate(1);
    second = hook?.mutate(2);
  });
  unmount();
  expect(calls[0]?.signal.aborted).toBe(true);
  calls[0]?.resolve(1);
  calls[1]?.reject(new Error('aborted'));
  await expect(first).resolves.toEqual({ ok: true, value: 1 });
  await expect(second).resolves.toMatchObject({ ok: false });
  expect(onSuccess).not.toHaveBeenCalled();
  expect(onError).not.toHaveBeenCalled();
});
