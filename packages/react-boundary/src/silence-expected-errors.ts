/**
 * `silenceExpectedErrors`: keeps the console of a test run free of the errors a test expects
 * a boundary to catch. React logs each caught error (React 19 `onCaughtError`, React 18
 * "The above error occurred…"), React 18 in development also rethrows it as a window `error`
 * event that jsdom prints again. This drops exactly those logs for the errors a test names,
 * and leaves every other log alone.
 */

/**
 * An expected error: a substring of its message, a pattern its message matches, or a predicate
 * of the error object.
 */
export type ExpectedError = string | RegExp | ((error: unknown) => boolean);

/** Lines React writes beside a caught or uncaught error. */
const REACT_BOUNDARY_LOG =
  /The above error occurred|React will try to recreate this component tree|Consider adding an error boundary/;

/**
 * Silences console logs and window `error` events of expected errors until the returned
 * function is called.
 *
 * @remarks
 * A `console.error`/`console.warn` call is dropped when one of its arguments is an expected
 * error object (React passes the error; jsdom passes it after its own message), or when it is
 * one of React's own lines about a caught error, or a string that a string or RegExp matcher
 * matches (jsdom prints some failures as text). A window `error` event for an expected error
 * is cancelled (React 18 dispatches one in development). Without arguments every error counts
 * as expected. Vitest's `beforeEach` calls the returned function after each test when it is
 * returned from the hook.
 *
 * @param expected - Which errors are expected; none means all.
 * @returns A function that restores the console and removes the listener.
 * @example
 * ```ts
 * import { silenceExpectedErrors } from '@arm/react-boundary/testing';
 *
 * beforeEach(() => silenceExpectedErrors(/boom/, 'Network down'));
 * ```
 */
export function silenceExpectedErrors(...expected: ExpectedError[]): () => void {
  const isExpected = (value: unknown): boolean => {
    if (typeof value !== 'object' || value === null) return false;
    const { message } = value as { message?: unknown };
    return (
      expected.length === 0 ||
      expected.some((matcher) =>
        typeof matcher === 'function'
          ? matcher(value)
          : typeof message === 'string' &&
            (typeof matcher === 'string' ? message.includes(matcher) : matcher.test(message)),
      )
    );
  };
  const silent = (args: unknown[]): boolean =>
    args.some((arg) =>
      typeof arg === 'string'
        ? REACT_BOUNDARY_LOG.test(arg) ||
          expected.some((matcher) =>
            typeof matcher === 'string'
              ? arg.includes(matcher)
              : matcher instanceof RegExp && matcher.test(arg),
          )
        : isExpected(arg),
    );
  const { error, warn } = console;
  console.error = (...args: unknown[]) => {
    if (!silent(args)) error.apply(console, args);
  };
  console.warn = (...args: unknown[]) => {
    if (!silent(args)) warn.apply(console, args);
  };
  const onError = (event: ErrorEvent): void => {
    if (isExpected(event.error)) event.preventDefault();
  };
  const target = typeof addEventListener === 'function' ? globalThis : undefined;
  target?.addEventListener('error', onError);
  return () => {
    console.error = error;
    console.warn = warn;
    target?.removeEventListener('error', onError);
  };
}
