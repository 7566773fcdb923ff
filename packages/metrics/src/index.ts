/**
 * `@arm/metrics`: Prometheus metrics with OpenTelemetry HTTP names, a query profiler, an error
 * tracker, a pino logger, alerts and one JSON snapshot for dashboards.
 *
 * @packageDocumentation
 */
export {
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
  createClusterMetrics,
  createMetrics,
} from './metrics';
export type {
  CheckFigures,
  ClusterMetrics,
  EventLoopDelay,
  ExposeOptions,
  Exposition,
  HealthProbe,
  HealthSource,
  HistogramConfig,
  HttpTotals,
  MetricConfig,
  Metrics,
  MetricsOptions,
  MetricsSnapshot,
  ProcessFigures,
} from './metrics';
export { HTTP_DURATION_BUCKETS, HTTP_DURATION_METRIC } from './http';
export type { HttpMetrics, HttpMetricsOptions, HttpObservation, RouteFigures } from './http';
export {
  instrumentCache,
  instrumentHealth,
  instrumentRateLimit,
  instrumentRetry,
} from './instrument';
export type {
  BreakerState,
  CacheMetricsHooks,
  CheckStatus,
  HealthMetricsHooks,
  InstrumentOptions,
  RateLimitMetricsHooks,
  RetryMetricsHooks,
} from './instrument';
export { createQueryProfiler, indexCandidates } from './query-profiler';
export type {
  Explainer,
  IndexCandidate,
  PgProfileOptions,
  PgQueryable,
  QueryEvent,
  QueryProfiler,
  QueryProfilerOptions,
  QueryRecord,
  SlowQuery,
} from './query-profiler';
export { normaliseStatement, statementFingerprint } from './statement';
export { createErrorTracker } from './error-tracker';
export type { ErrorContext, ErrorGroup, ErrorTracker, ErrorTrackerOptions } from './error-tracker';
export { DEFAULT_REDACT_KEYS, createLogger, requestIdFrom, requestLogger } from './logger';
export type { ArmLogger, CreateLoggerOptions } from './logger';
export { webhookNotifier } from './alerts';
export type {
  Alert,
  AlertNotification,
  AlertNotifier,
  AlertRule,
  Alerts,
  AlertsOptions,
  BreakerOpenRule,
  ErrorRateRule,
  HealthRule,
  LatencyRule,
} from './alerts';
