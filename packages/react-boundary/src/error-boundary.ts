/**
 * `ErrorBoundary`: catches render and effect errors like any boundary, and also what React's
 * own boundaries miss (rejections of async work routed through `useErrorBoundary().run` or
 * the opt-in unhandled-rejection bridge). It gives the fallback a normalised AppError with
 * the component stack, the event id of its report and a retry count; resets on the first
 * change of `resetKeys` (also after an error thrown on mount); retries retryable errors with
 * backoff; and reloads the page once on a chunk-load failure.
 */
import { Component, h, toAppError } from './_deps';
import type { ComponentType, ErrorInfo, ReactNode } from 'react';
import type { AppError } from '@arm/errors';
import { isProductionDefault } from './_env';
import { eventIdOf } from './_event-ids';
import { BoundaryContext } from './_context';
import { mounted, onRejection } from './_rejection-bridge';
import { isChunkLoadError, reloadOnce } from './chunk-load';
import { DefaultFallback } from './default-fallback';

/** Where a report comes from. */
export type ReportSource = 'boundary' | 'caught' | 'uncaught' | 'recoverable' | 'manual';

/** What a reporter learns about an error besides the error itself. */
export interface ReportContext {
  /** Who reports it: a boundary, one of React's root callbacks, or the application. */
  readonly source: ReportSource;
  /** React's component stack, when React gave one. */
  readonly componentStack?: string | undefined;
  /** The `name` of the boundary that caught it. */
  readonly boundary?: string | undefined;
}

/**
 * What a boundary needs from a reporter: `createErrorReporter` from
 * `@arm/react-boundary/reporter` is one; any object with this method works (Sentry, OTel).
 */
export interface BoundaryReporter {
  /**
   * Reports an error once and returns its event id; reporting the same error object again
   * returns the same id without sending anything.
   *
   * @param error - The thrown value.
   * @param context - Where it comes from and its component stack.
   * @returns The event id, or `undefined` when the reporter keeps none.
   */
  report(error: unknown, context?: ReportContext): string | undefined;
}

/** Why a boundary reset, as given to `onReset`. */
export type ResetDetails =
  | {
      /** `resetErrorBoundary(...args)` or `useErrorBoundary().resetBoundary(...args)` was called. */
      readonly reason: 'imperative-api';
      /** The arguments it was called with. */
      readonly args: readonly unknown[];
    }
  | {
      /** A value in `resetKeys` changed. */
      readonly reason: 'keys';
      /** The keys when the error was caught. */
      readonly prev: readonly unknown[] | undefined;
      /** The keys now. */
      readonly next: readonly unknown[] | undefined;
    }
  | {
      /** An automatic retry of a retryable error. */
      readonly reason: 'retry';
      /** Which retry this is, from 1. */
      readonly attempt: number;
    };

/** The props every fallback receives. */
export interface FallbackProps {
  /** The caught error, normalised to an AppError; the thrown value is its `cause`. */
  readonly error: AppError;
  /** React's component stack of the error, when React gave one. */
  readonly componentStack: string | undefined;
  /** The id the error was reported under, to show to users and support. */
  readonly eventId: string | undefined;
  /** How many automatic retries already happened for this error. */
  readonly retryCount: number;
  /** The delay before the automatic retry now scheduled, or `undefined` when none is. */
  readonly nextRetryMs: number | undefined;
  /** Whether the boundary runs in production: show no stack, and messages only when exposed. */
  readonly production: boolean;
  /**
   * Clears the error and renders the children again; `onReset` gets the arguments.
   * @param args - Passed on to `onReset` as `{ reason: 'imperative-api', args }`.
   */
  readonly resetErrorBoundary: (...args: unknown[]) => void;
}

/** What `onError` learns besides the normalised error. */
export interface CaughtErrorInfo {
  /** React's component stack, when React gave one. */
  readonly componentStack: string | undefined;
  /** The event id of the report, when a reporter reported it. */
  readonly eventId: string | undefined;
  /** The value that was thrown, before normalisation. */
  readonly thrown: unknown;
}

/** Automatic retries of retryable errors (`error.retryable`, e.g. 503, 429, timeouts). */
export interface RetryPolicy {
  /**
   * How many automatic retries per error, until a reset by keys or by hand.
   * @defaultValue `3`
   */
  readonly max?: number;
  /**
   * The delay before retry `attempt` (from 1), in milliseconds.
   * @defaultValue `attempt => Math.min(500 * 2 ** (attempt - 1), 10_000)`
   */
  readonly delayMs?: (attempt: number) => number;
}

/** Props of {@link ErrorBoundary}. */
export interface ErrorBoundaryProps {
  /** What the boundary guards. */
  readonly children?: ReactNode;
  /**
   * The fallback as a component; wins over `fallbackRender` and `fallback`.
   * @defaultValue none
   */
  readonly FallbackComponent?: ComponentType<FallbackProps> | undefined;
  /**
   * The fallback as a render function; wins over `fallback`.
   * @defaultValue none
   */
  readonly fallbackRender?: ((props: FallbackProps) => ReactNode) | undefined;
  /**
   * The fallback as an element (`null` renders nothing). Without any of the three fallback
   * props the boundary renders {@link DefaultFallback}.
   * @defaultValue none
   */
  readonly fallback?: ReactNode;
  /**
   * Called once per caught error, after it is reported, with the normalised error.
   * @defaultValue none
   */
  readonly onError?: ((error: AppError, info: CaughtErrorInfo) => void) | undefined;
  /**
   * Called when the boundary resets, with the reason; clear the state that caused the error
   * here.
   * @defaultValue none
   */
  readonly onReset?: ((details: ResetDetails) => void) | undefined;
  /**
   * Values that reset the boundary when one of them changes (`Object.is`), on the first
   * change after the error, also when the error was thrown on mount.
   * @defaultValue none
   */
  readonly resetKeys?: readonly unknown[] | undefined;
  /**
   * Retry retryable errors automatically with backoff: `true` for the defaults.
   * @defaultValue `false`
   */
  readonly retry?: boolean | RetryPolicy | undefined;
  /**
   * On a chunk-load failure, reload the page once (not again within 10 s); a function
   * reloads in its own way (a router's hard navigation).
   * @defaultValue `true`
   */
  readonly reloadOnChunkError?: boolean | (() => void) | undefined;
  /**
   * Route unhandled promise rejections to this boundary while it is mounted (the deepest such
   * boundary wins); a function chooses which rejections it takes.
   * @defaultValue `false`
   */
  readonly captureUnhandledRejections?: boolean | ((reason: unknown) => boolean) | undefined;
  /**
   * Reports caught errors; without one the boundary still shows the event id of a report
   * made by React's root callbacks (see `createRootOptions`).
   * @defaultValue none
   */
  readonly reporter?: BoundaryReporter | undefined;
  /**
   * Whether this is production: the default fallback then shows no stack, and messages only
   * of exposed errors.
   * @defaultValue `true` unless `process.env.NODE_ENV` is `development` or `test`
   */
  readonly production?: boolean | undefined;
  /**
   * A name for reports, telling which boundary caught the error.
   * @defaultValue none
   */
  readonly name?: string | undefined;
}

/** What the fallback shows of a caught error. */
type Caught = Pick<FallbackProps, 'error'> &
  Partial<Pick<FallbackProps, 'componentStack' | 'eventId' | 'nextRetryMs'>>;

interface ErrorBoundaryState {
  /** A component throwing the value given to `showError`, rendered in place of the children. */
  readonly thrown?: (() => never) | undefined;
  /** The caught error; undefined while the children render. */
  readonly caught?: Caught | undefined;
  /** Automatic retries so far. */
  readonly retryCount: number;
}

function keysChanged(a: readonly unknown[] = [], b: readonly unknown[] = []): boolean {
  return a.length !== b.length || a.some((item, index) => !Object.is(item, b[index]));
}

/**
 * An error boundary with normalised errors, async capture, resets, retries and reporting.
 *
 * @remarks
 * Render errors reach it as with any boundary. Errors outside rendering (event handlers,
 * promises) reach it through `useErrorBoundary()` (`showBoundary`, `run`) or, opted in with
 * `captureUnhandledRejections`, any unhandled rejection while it is mounted. Boundaries do
 * not run during server rendering; importing and rendering it on the server is safe.
 *
 * @example
 * ```tsx
 * <ErrorBoundary
 *   FallbackComponent={DefaultFallback}
 *   resetKeys={[projectId]}
 *   retry
 *   onError={(error, { eventId }) => console.warn(error.code, eventId)}
 * >
 *   <Project id={projectId} />
 * </ErrorBoundary>
 * ```
 */
export class ErrorBoundary extends Component<ErrorBoundaryProps, ErrorBoundaryState> {
  /** @internal */
  static override contextType = BoundaryContext;
  /** The boundary above this one, if any. @internal */
  declare context: ErrorBoundary | null;

  /** @internal */
  override state: ErrorBoundaryState = { retryCount: 0 };

  // What only the class uses is `#private`: minifiers shorten those names, not others.
  /** The scheduled automatic retry. */
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** @internal */
  static getDerivedStateFromError(value: unknown): Partial<ErrorBoundaryState> {
    return { thrown: undefined, caught: { error: toAppError(value) } };
  }

  /** Clears the error and renders the children again; `onReset` gets the arguments. */
  resetErrorBoundary = (...args: unknown[]): void => {
    if (this.state.caught) this.#reset({ reason: 'imperative-api', args });
  };

  /** Cancels a scheduled retry, tells `onReset`, then renders the children again. */
  #reset(details: ResetDetails, retryCount = 0): void {
    clearTimeout(this.#timer);
    this.props.onReset?.(details);
    this.setState({ caught: undefined, retryCount });
  }

  /** @internal */
  override componentDidCatch(thrown: unknown, info: ErrorInfo): void {
    const { reporter, onError, name, retry, reloadOnChunkError = true } = this.props;
    const componentStack = info.componentStack ?? undefined;
    const eventId =
      reporter?.report(thrown, { source: 'boundary', componentStack, boundary: name }) ??
      eventIdOf(thrown);
    const { error } = this.state.caught as Caught;
    const attempt = this.state.retryCount + 1;
    let nextRetryMs: number | undefined;
    clearTimeout(this.#timer);
    if (reloadOnChunkError && isChunkLoadError(thrown)) {
      reloadOnce(
        reloadOnChunkError === true
          ? () => {
              location.reload();
            }
          : reloadOnChunkError,
      );
    } else if (retry && error.retryable) {
      // The default delay is the documented `500 * 2 ** (attempt - 1)`, capped at 10 s.
      const { max = 3, delayMs = (n: number) => Math.min(250 * 2 ** n, 10_000) } =
        retry === true ? {} : retry;
      if (attempt <= max) {
        nextRetryMs = delayMs(attempt);
        this.#timer = setTimeout(() => {
          // Checked rather than the timer cleared on unmount: StrictMode unmounts and remounts a
          // boundary right after an error on mount, and the retry must survive that.
          if (mounted.has(this)) this.#reset({ reason: 'retry', attempt }, attempt);
        }, nextRetryMs);
      }
    }
    this.setState({ caught: { error, componentStack, eventId, nextRetryMs } });
    onError?.(error, { componentStack, eventId, thrown });
  }

  /** @internal */
  override componentDidMount(): void {
    mounted.add(this);
    // The rejection bridge's one listener: adding it again is a no-op.
    addEventListener('unhandledrejection', onRejection);
  }

  /** @internal */
  override componentDidUpdate(
    { resetKeys: prev }: ErrorBoundaryProps,
    { caught }: ErrorBoundaryState,
  ): void {
    // Reset on the first change of the keys while the fallback shows, also when the error was
    // thrown on mount. Keys that changed in the update that threw do not count: the fallback
    // was not shown before it.
    const next = this.props.resetKeys;
    if (caught && this.state.caught && keysChanged(prev, next)) {
      this.#reset({ reason: 'keys', prev, next });
    }
  }

  /** @internal */
  override componentWillUnmount(): void {
    mounted.delete(this);
  }

  /** @internal */
  override render(): ReactNode {
    const { thrown, caught, retryCount } = this.state;
    const { children, FallbackComponent, fallbackRender, fallback, production } = this.props;
    let content = children;
    if (thrown) {
      content = h(thrown);
    } else if (caught) {
      const props = {
        ...caught,
        retryCount,
        production: production ?? isProductionDefault(),
        resetErrorBoundary: this.resetErrorBoundary,
      } as FallbackProps;
      content = FallbackComponent
        ? h(FallbackComponent, props)
        : fallbackRender
          ? fallbackRender(props)
          : fallback !== undefined
            ? fallback
            : h(DefaultFallback, props);
    }
    return h(BoundaryContext.Provider, { value: this }, content);
  }
}
