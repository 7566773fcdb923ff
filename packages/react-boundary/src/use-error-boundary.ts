/**
 * `useErrorBoundary`: the way errors outside rendering (event handlers, promises, timers)
 * reach the nearest boundary, and the way a fallback or a child resets it.
 */
import { ConfigurationError, useContext, useEffect, useMemo, useRef } from './_deps';
import { BoundaryContext, showError } from './_context';

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
  // Created by the first `run`; aborted and dropped on unmount, so that StrictMode's remount
  // starts again with a fresh one.
  const controller = useRef<AbortController | null>(null);
  useEffect(
    () => () => {
      controller.current?.abort();
      controller.current = null;
    },
    [],
  );
  const handle = useMemo(
    () =>
      boundary && {
        showBoundary: (error: unknown) => {
          showError(boundary, error);
        },
        resetBoundary: boundary.resetErrorBoundary,
        run: async <T>(work: PromiseLike<T> | ((signal: AbortSignal) => PromiseLike<T>)) => {
          const signal = (controller.current ??= new AbortController()).signal;
          try {
            return await (typeof work === 'function' ? work(signal) : work);
          } catch (error) {
            if (!signal.aborted) showError(boundary, error);
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
