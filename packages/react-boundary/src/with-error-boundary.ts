/** `withErrorBoundary`: wraps a component in an `ErrorBoundary`, forwarding props and ref. */
import { forwardRef, h } from './_deps';
import type {
  ComponentType,
  ForwardRefExoticComponent,
  PropsWithoutRef,
  RefAttributes,
} from 'react';
import { ErrorBoundary } from './error-boundary';
import type { ErrorBoundaryProps } from './error-boundary';

/** A forwardRef or memo component is an object: its name is that of its render function. */
interface Named {
  readonly render?: { readonly name?: string };
}

/**
 * Wraps a component in an {@link ErrorBoundary}.
 *
 * @param Wrapped - The component to guard.
 * @param boundaryProps - The boundary's props (fallback, onError, retry...), without children.
 * @returns A component with the same props that renders `Wrapped` inside the boundary; a ref
 * is forwarded to `Wrapped`.
 * @example
 * ```tsx
 * const SafeChart = withErrorBoundary(Chart, { fallback: <p>The chart is unavailable.</p> });
 * ```
 */
export function withErrorBoundary<P extends object>(
  Wrapped: ComponentType<P>,
  boundaryProps?: Omit<ErrorBoundaryProps, 'children'>,
): ForwardRefExoticComponent<PropsWithoutRef<P> & RefAttributes<unknown>> {
  const WithBoundary = forwardRef<unknown, PropsWithoutRef<P>>((props, ref) =>
    h(ErrorBoundary, boundaryProps, h(Wrapped, { ...(props as P), ref })),
  );
  const name =
    Wrapped.displayName ?? (Wrapped.name || ((Wrapped as Named).render?.name ?? '') || 'Component');
  WithBoundary.displayName = `withErrorBoundary(${name})`;
  return WithBoundary as ForwardRefExoticComponent<PropsWithoutRef<P> & RefAttributes<unknown>>;
}
