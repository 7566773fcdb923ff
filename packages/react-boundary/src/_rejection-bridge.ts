/**
 * The opt-in bridge from `unhandledrejection` events to boundaries. Every mounted boundary is
 * in `mounted`; the first one to mount adds `onRejection` to the page, where it stays (with no
 * boundary accepting a rejection it does nothing). A rejection goes to the deepest boundary
 * whose `captureUnhandledRejections` accepts it (the latest mounted among equals), and its
 * default logging is prevented, since the boundary and React report it from then on. Without
 * a boundary that opted in, rejections are left alone.
 */
import { showError } from './_context';
import type { ErrorBoundary } from './error-boundary';

/**
 * The mounted boundaries, in the order they mounted: a boundary adds itself on mount and
 * deletes itself on unmount, so this also tells whether one is mounted.
 */
export const mounted = new Set<ErrorBoundary>();

/** How many boundaries deep a boundary is, from 1: its context is the boundary above it. */
function depthOf(boundary: ErrorBoundary | null | undefined): number {
  return boundary ? depthOf(boundary.context) + 1 : 0;
}

/** The page's `unhandledrejection` listener. */
export function onRejection(event: PromiseRejectionEvent): void {
  let chosen: ErrorBoundary | undefined;
  // A Set iterates in insertion order, so `>=` picks the latest mounted among equals.
  for (const target of mounted) {
    const capture = target.props.captureUnhandledRejections;
    if (
      depthOf(target) >= depthOf(chosen) &&
      (typeof capture === 'function' ? capture(event.reason) : capture)
    ) {
      chosen = target;
    }
  }
  if (chosen) {
    event.preventDefault();
    showError(chosen, event.reason);
  }
}
