/**
 * The context through which hooks and the rejection bridge reach the nearest `ErrorBoundary`.
 * Its value is the boundary itself: they use only its public members (`setState`, `props`,
 * `context`, `resetErrorBoundary`), so no second object per boundary is needed.
 */
import { createContext } from './_deps';
import type { ErrorBoundary } from './error-boundary';

/** The nearest boundary, or null outside any. */
export const BoundaryContext = createContext<ErrorBoundary | null>(null);

/**
 * Shows a boundary's fallback for a value thrown outside rendering: the boundary renders a
 * component that throws the value, so React catches it like a render error (reported once,
 * with a component stack).
 */
export function showError(boundary: ErrorBoundary, value: unknown): void {
  boundary.setState({
    thrown: () => {
      throw value;
    },
  });
}
