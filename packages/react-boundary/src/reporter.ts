/**
 * `@arm/react-boundary/reporter`: problem-shaped error reports to your own endpoint, batched,
 * deduplicated and rate-limited, and React 19 root options that feed them.
 *
 * @packageDocumentation
 */
export { createErrorReporter } from './create-error-reporter';
export type {
  DropReason,
  ErrorReport,
  ErrorReporter,
  ErrorReporterHooks,
  ErrorReporterOptions,
  ReportBatch,
} from './create-error-reporter';
export { createRootOptions } from './create-root-options';
export type {
  CreateRootOptionsConfig,
  RootErrorInfo,
  RootErrorOptions,
} from './create-root-options';
export type { BoundaryReporter, ReportContext, ReportSource } from './error-boundary';
