import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { ConfigurationError, RateLimitError } from '@arm/errors';
import { ErrorBoundary } from './error-boundary';
import type { FallbackProps } from './error-boundary';
import { silenceExpectedErrors } from './silence-expected-errors';
import { useErrorBoundary } from './use-error-boundary';
import type { ErrorBoundaryHandle } from './use-error-boundary';

beforeEach(() => silenceExpectedErrors(/failed|needs an/));
afterEach(cleanup);

function Fallback({ error, resetErrorBoundary }: FallbackProps) {
  return (
    <div>
      <p>
        caught {error.code}: {error.message}
      </p>
      <ResetFromInside />
      <button
        onClick={() => {
          resetErrorBoundary();
        }}
      >
        reset
      </button>
    </div>
  );
}

function ResetFromInside() {
  const { resetBoundary } = useErrorBoundary();
  return (
    <button
      onClick={() => {
        resetBoundary('hook');
      }}
    >
      reset from hook
    </button>
  );
}

let handle: ErrorBoundaryHandle | undefined;
function Grab() {
  handle = useErrorBoundary();
  return <p>child</p>;
}

it('showBoundary shows the fallback for an error from an event handler', () => {
  function Save() {
    const { showBoundary } = useErrorBoundary();
    return (
      <button
        onClick={() => {
          try {
            throw new RateLimitError('save failed');
          } catch (error) {
            showBoundary(error);
          }
        }}
      >
        save
      </button>
    );
  }
  const onReset = vi.fn();
  render(
    <ErrorBoundary FallbackComponent={Fallback} onReset={onReset}>
      <Save />
    </ErrorBoundary>,
  );
  fireEvent.click(screen.getByText('save'));
  expect(screen.getByText('caught RATE_LIMITED: save failed')).toBeTruthy();
  fireEvent.click(screen.getByText('reset from hook'));
  expect(screen.getByText('save')).toBeTruthy();
  expect(onReset).toHaveBeenCalledWith({ reason: 'imperative-api', args: ['hook'] });
});

it('run resolves to the value of work that succeeds', async () => {
  render(
    <ErrorBoundary FallbackComponent={Fallback}>
      <Grab />
    </ErrorBoundary>,
  );
  const work = vi.fn((signal: AbortSignal) => Promise.resolve(signal.aborted ? 'aborted' : 'done'));
  await expect(handle?.run(work)).resolves.toBe('done');
  await expect(handle?.run(Promise.resolve(7))).resolves.toBe(7);
  expect(screen.getByText('child')).toBeTruthy();
});

it('run sends a rejection to the nearest boundary and resolves to undefined', async () => {
  function Loader() {
    const { run } = useErrorBoundary();
    const [text, setText] = useState('idle');
    return (
      <button
        onClick={() => {
          void run(async () => {
            setText('loading');
            await Promise.resolve();
            throw new Error('load failed');
          });
        }}
      >
        {text}
      </button>
    );
  }
  render(
    <ErrorBoundary fallback={<p>outer</p>}>
      <ErrorBoundary FallbackComponent={Fallback}>
        <Loader />
      </ErrorBoundary>
    </ErrorBoundary>,
  );
  fireEvent.click(screen.getByText('idle'));
  expect(await screen.findByText('caught INTERNAL: load failed')).toBeTruthy();
  expect(screen.queryByText('outer')).toBeNull();
});

it('run ignores a rejection after the component unmounted, and aborts its signal', async () => {
  const { unmount } = render(
    <ErrorBoundary FallbackComponent={Fallback}>
      <Grab />
    </ErrorBoundary>,
  );
  let seen: AbortSignal | undefined;
  let fail: (error: Error) => void = () => undefined;
  const result = handle?.run(
    (signal) =>
      new Promise((_, reject) => {
        seen = signal;
        fail = reject;
      }),
  );
  unmount();
  expect(seen?.aborted).toBe(true);
  fail(new Error('late failed'));
  await expect(result).resolves.toBeUndefined();
});

it('throws a ConfigurationError outside any boundary', () => {
  expect(() => render(<Grab />)).toThrow(ConfigurationError);
  expect(() => render(<Grab />)).toThrow('needs an <ErrorBoundary> above it');
});

it('keeps one handle across renders', () => {
  const { rerender } = render(
    <ErrorBoundary fallback={null}>
      <Grab />
    </ErrorBoundary>,
  );
  const first = handle;
  rerender(
    <ErrorBoundary fallback={null}>
      <Grab />
    </ErrorBoundary>,
  );
  expect(handle).toBe(first);
  act(() => {
    handle?.showBoundary(new Error('shown failed'));
  });
  expect(screen.queryByText('child')).toBeNull();
});
