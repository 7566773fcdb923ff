/**
 * `useErrorBoundary`: the way errors outside rendering (event handlers, promises, timers)
 * reach the nearest boundary, and the way a fallback or a child resets it.
 */
import { useContext, useEffect, useMemo, useRef } from 'react';
import { ConfigurationError } from '@arm/errors';
import { BoundaryContext } from './_context';

/** What {@link useErrorBoundary} returns. */
export interface ErrorBoundaryHandle {
  /**
   * Shows the nearest boundary's fallback for an error (normalised like a render error).
   * @param error - Anything caught.
   */
  readonly showBoundary: (error: unknown) => void;
  /**
   * Clears the nearest boundary's error; `onReset` gets `{ reason: 'imperative-api', args }`.
   * @param args - Passed on to `onReset`.
   */
  readonly resetBoundary: (...args: unknown[]) => void;
  /**
   * Runs async work; if it rejects, the rejection lands in the nearest boundary. The
   * returned promise never rejects: it resolves to the work's value, or `undefined` when the
   * work failed. The signal aborts when the calling component unmounts; a rejection after
   * that is ignored.
   * @param work - A function of the signal returning a promise, or a promise.
   * @returns The value of the work, or `undefined` when it failed.
   */
  readonly run: <T>(
    work: PromiseLike<T> | ((signal: AbortSignal) => PromiseLike<T>),
  ) => Promise<T | undefined>;
}

/**
 * Connects a component to the nearest {@link ErrorBoundary}.
 *
 * @returns `showBoundary`, `resetBoundary` and `run`.
 * @throws `ConfigurationError` when no `ErrorBoundary` is above the component.
 * @example
 * ```tsx
 * function SaveButton({ save }: { save: (signal: AbortSignal) => Promise<void> }) {
 *   const { run } = useErrorBoundary();
 *   return <button onClick={() => void run(save)}>Save</button>;
 * }
 * ```
 */
export function useErrorBoundary(): ErrorBoundaryHandle {
  const boundary = useContext(BoundaryContext);
  const controller = useRef<AbortController | null>(null);
  useEffect(() => {
    const current = new AbortController();
    controller.current = current;
    return () => {
      current.abort();
    };
  }, []);
  const handle = useMemo(
    () =>
      boundary && {
        showBoundary: boundary.show,
        resetBoundary: boundary.reset,
        run: async <T>(work: PromiseLike<T> | ((signal: AbortSignal) => PromiseLike<T>)) => {
          const signal = (controller.current ??= new AbortController()).signal;
          try {
            return await (typeof work === 'function' ? work(signal) : work);
          } catch (error) {
            if (!signal.aborted) boundary.show(error);
            return undefined;
          }
        },
      },
    [boundary],
  );
  if (!handle) {
    throw new ConfigurationError(
      '[@arm/react-boundary] useErrorBoundary() needs an <ErrorBoundary> above it',
    );
  }
  return handle;
}
