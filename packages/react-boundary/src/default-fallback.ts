/**
 * The fallback a boundary shows when it is given none: an alert that takes focus, says what
 * may be said, shows the event id and offers a retry. In production it shows the message of
 * exposed errors only (4xx and the like), and never a stack.
 */
import { h } from './_deps';
import type { ReactNode } from 'react';
import type { FallbackProps } from './error-boundary';

/** The texts of {@link DefaultFallback}, for translations. */
export interface FallbackLabels {
  /**
   * The heading.
   * @defaultValue `'Something went wrong'`
   */
  readonly title: string;
  /**
   * The sentence shown instead of a message that may not be shown.
   * @defaultValue `'An unexpected error occurred.'`
   */
  readonly message: string;
  /**
   * The retry button.
   * @defaultValue `'Try again'`
   */
  readonly retry: string;
  /**
   * Shown while an automatic retry is scheduled.
   * @defaultValue `'Retrying…'`
   */
  readonly retrying: string;
  /**
   * Before the event id.
   * @defaultValue `'Reference:'`
   */
  readonly reference: string;
  /**
   * The summary of the stack shown outside production.
   * @defaultValue `'Details'`
   */
  readonly details: string;
}

/** Props of {@link DefaultFallback}: the boundary's fallback props and optional labels. */
export interface DefaultFallbackProps extends FallbackProps {
  /**
   * Texts replacing the English defaults.
   * @defaultValue the English texts
   */
  readonly labels?: Partial<FallbackLabels> | undefined;
}

/**
 * An accessible fallback: `role="alert"`, focused when shown, with a retry button.
 *
 * @param props - The boundary's fallback props, plus `labels`.
 * @returns The alert.
 * @example
 * ```tsx
 * <ErrorBoundary
 *   fallbackRender={(props) => <DefaultFallback {...props} labels={{ retry: 'Réessayer' }} />}
 * >
 *   <App />
 * </ErrorBoundary>
 * ```
 */
export function DefaultFallback({
  error,
  eventId,
  production,
  componentStack,
  nextRetryMs,
  resetErrorBoundary,
  // The English defaults (see `FallbackLabels`), each replaced by the label given.
  labels: {
    title = 'Something went wrong',
    message = 'An unexpected error occurred.',
    retry = 'Try again',
    retrying = 'Retrying…',
    reference = 'Reference:',
    details = 'Details',
  } = {},
}: DefaultFallbackProps): ReactNode {
  const original = error.cause instanceof Error ? error.cause : error;
  // createElement rather than JSX: it keeps this entry within its size budget.
  return h(
    'div',
    { role: 'alert', tabIndex: -1, ref: focus },
    h('h2', null, title),
    h('p', null, error.expose || !production ? error.message : message),
    eventId !== undefined && h('p', null, reference, ' ', h('code', null, eventId)),
    !production &&
      h(
        'details',
        null,
        h('summary', null, details),
        h('pre', null, original.stack, componentStack),
      ),
    nextRetryMs !== undefined && h('p', null, retrying),
    h(
      'button',
      {
        type: 'button',
        onClick: () => {
          resetErrorBoundary();
        },
      },
      retry,
    ),
  );
}

/**
 * Moves the focus to the alert when it appears. A ref callback defined once, so React calls it
 * on mount only (a new function each render would refocus on every render); it needs no
 * `useRef` and `useEffect`, which keeps the entry small.
 */
function focus(alert: HTMLDivElement | null): void {
  alert?.focus();
}
