/**
 * `createRootOptions`: React 19's root error callbacks (`onCaughtError`, `onUncaughtError`,
 * `onRecoverableError`) wired to a reporter, keeping the logging React does by default, which
 * passing your own callbacks otherwise turns off (react/react#29384).
 */
import { isProductionDefault } from './_env';
import type { BoundaryReporter } from './error-boundary';

/** What React passes to its root error callbacks. */
export interface RootErrorInfo {
  /** The component stack of the error. */
  readonly componentStack?: string | undefined;
  /** The boundary that caught it (`onCaughtError` only). */
  readonly errorBoundary?: unknown;
}

/** The callbacks to pass to `createRoot` or `hydrateRoot`. */
export interface RootErrorOptions {
  /**
   * An error boundary caught an error.
   * @param error - The thrown value.
   * @param info - Component stack and boundary.
   */
  onCaughtError(error: unknown, info: RootErrorInfo): void;
  /**
   * No error boundary caught an error; React unmounted the root.
   * @param error - The thrown value.
   * @param info - Component stack.
   */
  onUncaughtError(error: unknown, info: RootErrorInfo): void;
  /**
   * React recovered from an error on its own (a hydration mismatch re-rendered on the client).
   * @param error - The thrown value.
   * @param info - Component stack.
   */
  onRecoverableError(error: unknown, info: RootErrorInfo): void;
}

/** Options of {@link createRootOptions}. */
export interface CreateRootOptionsConfig {
  /**
   * Called after reporting and logging a caught error.
   * @defaultValue none
   */
  readonly onCaughtError?: RootErrorOptions['onCaughtError'];
  /**
   * Called after reporting and logging an uncaught error.
   * @defaultValue none
   */
  readonly onUncaughtError?: RootErrorOptions['onUncaughtError'];
  /**
   * Called after reporting and logging a recoverable error.
   * @defaultValue none
   */
  readonly onRecoverableError?: RootErrorOptions['onRecoverableError'];
  /**
   * Log like React's defaults: caught errors with `console.error`, uncaught and recoverable
   * ones with `reportError` (or `console.error`), and outside production the component stack.
   * @defaultValue `true`
   */
  readonly log?: boolean;
  /**
   * Whether this is production: then no component stacks are logged.
   * @defaultValue `true` unless `process.env.NODE_ENV` is `development` or `test`
   */
  readonly production?: boolean;
}

/**
 * Builds `createRoot`/`hydrateRoot` options that report every error React sees once and keep
 * React's default logging. Callbacks given in `config` run after reporting and logging.
 *
 * @remarks
 * React 18 ignores `onCaughtError` and `onUncaughtError`; there, give boundaries the reporter
 * (`<ErrorBoundary reporter={reporter}>`). An error caught by a boundary that also has the
 * reporter is still sent once: the second `report` returns the first event id.
 *
 * @param reporter - Where errors go, typically `createErrorReporter(...)`.
 * @param config - Logging switches and callbacks to chain.
 * @returns The three callbacks.
 * @example
 * ```tsx
 * const reporter = createErrorReporter({ endpoint: '/api/client-errors' });
 * createRoot(document.getElementById('root')!, createRootOptions(reporter)).render(<App />);
 * ```
 */
export function createRootOptions(
  reporter: BoundaryReporter,
  config: CreateRootOptionsConfig = {},
): RootErrorOptions {
  const { log = true, production = isProductionDefault() } = config;
  const reportGlobal = (error: unknown): void => {
    if (typeof reportError === 'function') reportError(error);
    else console.error(error);
  };
  const stack = (info: RootErrorInfo, text: string): void => {
    if (!production && info.componentStack) console.warn(`${text}\n%s`, info.componentStack);
  };
  return {
    onCaughtError: (error, info) => {
      reporter.report(error, { source: 'caught', componentStack: info.componentStack });
      if (log) {
        console.error(error);
        stack(
          info,
          'The above error occurred in this component tree; an error boundary caught it:',
        );
      }
      config.onCaughtError?.(error, info);
    },
    onUncaughtError: (error, info) => {
      reporter.report(error, { source: 'uncaught', componentStack: info.componentStack });
      if (log) {
        reportGlobal(error);
        stack(
          info,
          'An error occurred in this component tree. Consider adding an error boundary to your tree to customize error handling behavior.',
        );
      }
      config.onUncaughtError?.(error, info);
    },
    onRecoverableError: (error, info) => {
      reporter.report(error, { source: 'recoverable', componentStack: info.componentStack });
      if (log) reportGlobal(error);
      config.onRecoverableError?.(error, info);
    },
  };
}
