/**
 * `@arm/react-boundary`: React error boundaries that also catch async and event-handler
 * errors, reset and retry correctly, reload once on chunk-load failures, and show the event
 * id of the one report each error gets. The reporter lives at `@arm/react-boundary/reporter`,
 * the optimistic-update hook at `/optimistic`, test helpers at `/testing`.
 *
 * @packageDocumentation
 */
export { ErrorBoundary } from './error-boundary';
export type {
  BoundaryReporter,
  CaughtErrorInfo,
  ErrorBoundaryProps,
  FallbackProps,
  ReportContext,
  ReportSource,
  ResetDetails,
  RetryPolicy,
} from './error-boundary';
export { DefaultFallback } from './default-fallback';
export type { DefaultFallbackProps, FallbackLabels } from './default-fallback';
export { useErrorBoundary } from './use-error-boundary';
export type { ErrorBoundaryHandle } from './use-error-boundary';
export { withErrorBoundary } from './with-error-boundary';
export { isChunkLoadError } from './chunk-load';
