/**
 * `createMetrics`: one object per process owning its prom-client registry (never the global
 * one), with idempotent get-or-create for every metric, default process metrics, Prometheus
 * text and OpenMetrics exposition, cluster-worker aggregation, the HTTP RED histogram, the
 * error tracker, the query profiler, alerts and the JSON snapshot dashboards poll.
 */
import cluster from 'node:cluster';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { EventLoopUtilization, IntervalHistogram } from 'node:perf_hooks';
import {
  AggregatorRegistry,
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
} from 'prom-client';
import type { Metric } from 'prom-client';
import { ConfigurationError } from '@arm/errors';
import { createAlerts } from './alerts';
import type { Alert, Alerts, AlertsOptions } from './alerts';
import { createErrorTracker } from './error-tracker';
import type { ErrorGroup, ErrorTracker, ErrorTrackerOptions } from './error-tracker';
import { createHttpCore } from './http';
import type { HttpMetrics, HttpMetricsOptions, RouteFigures } from './http';
import { optionError } from './_option-error';
import { createQueryProfiler } from './query-profiler';
import type { QueryProfiler, QueryProfilerOptions, SlowQuery } from './query-profiler';

/** The Prometheus text exposition content type (format 0.0.4). */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** The OpenMetrics 1.0 exposition content type. */
export const OPENMETRICS_CONTENT_TYPE =
  'application/openmetrics-text; version=1.0.0; charset=utf-8';

/**
 * Where `snapshot()` reads health from: an `@arm/health` object (its `ready()` answer's body
 * is used) or a function answering any JSON value.
 */
export type HealthSource = HealthProbe | (() => unknown);

/** An object with a readiness probe, as `@arm/health` makes them (structurally). */
export interface HealthProbe {
  /** Runs the readiness probe; the snapshot keeps the answer's `body`. */
  ready(): Promise<{
    /** The health+json document. */
    readonly body: unknown;
  }>;
}

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /**
   * Collect prom-client's default process metrics (CPU, memory, event loop, GC...).
   * @defaultValue `true`
   */
  readonly defaultMetrics?: boolean;
  /**
   * Labels added to every series (`{ service: 'orders' }`).
   * @defaultValue `{}`
   */
  readonly defaultLabels?: Readonly<Record<string, string>>;
  /**
   * Answer the cluster primary's requests for this worker's metrics (see
   * {@link createClusterMetrics}); ignored outside a cluster worker.
   * @defaultValue `false`
   */
  readonly cluster?: boolean;
  /**
   * The HTTP RED histogram's bounds and window.
   * @defaultValue see {@link HttpMetricsOptions}
   */
  readonly http?: HttpMetricsOptions;
  /**
   * The error tracker's bounds.
   * @defaultValue see {@link ErrorTrackerOptions}
   */
  readonly errors?: Omit<ErrorTrackerOptions, 'clock'>;
  /**
   * The query profiler's thresholds, and the most distinct statements labelled in the
   * duration histogram (`maxStatements`, default 200; further ones count as `__other__`).
   * @defaultValue see {@link QueryProfilerOptions}
   */
  readonly queries?: Omit<QueryProfilerOptions, 'clock' | 'onQuery'> & {
    /**
     * The most distinct statements labelled in the duration histogram.
     * @defaultValue `200`
     */
    readonly maxStatements?: number;
  };
  /**
   * Alerting rules, notifiers and an evaluation interval.
   * @defaultValue no rules
   */
  readonly alerts?: AlertsOptions;
  /**
   * Where `snapshot()` reads health from; also settable later with `attachHealth`.
   * @defaultValue none (`health: null` in the snapshot)
   */
  readonly health?: HealthSource;
  /**
   * The clock, epoch milliseconds: windows, error times, alert times.
   * @defaultValue `Date.now`
   */
  readonly clock?: () => number;
}

/** Configuration of a counter or gauge made by {@link Metrics}. */
export interface MetricConfig<L extends string> {
  /** The metric's name. */
  readonly name: string;
  /** Its help text. */
  readonly help: string;
  /**
   * Its label names.
   * @defaultValue `[]`
   */
  readonly labelNames?: readonly L[];
}

/** Configuration of a histogram made by {@link Metrics}. */
export interface HistogramConfig<L extends string> extends MetricConfig<L> {
  /**
   * Bucket upper bounds.
   * @defaultValue prom-client's defaults
   */
  readonly buckets?: readonly number[];
}

/** An exposition: the body to send on `/metrics` and its content type. */
export interface Exposition {
  /** {@link PROMETHEUS_CONTENT_TYPE} or {@link OPENMETRICS_CONTENT_TYPE}. */
  readonly contentType: string;
  /** The exposition text. */
  readonly body: string;
}

/** Options of {@link Metrics.expose}. */
export interface ExposeOptions {
  /**
   * The format; wins over `accept`.
   * @defaultValue from `accept`, else `'prometheus'`
   */
  readonly format?: 'prometheus' | 'openmetrics';
  /**
   * The scraper's `Accept` header: OpenMetrics when it asks for `application/openmetrics-text`.
   * @defaultValue none
   */
  readonly accept?: string | undefined;
}

/** Event-loop delay in milliseconds. */
export interface EventLoopDelay {
  /** The mean delay. */
  readonly mean: number;
  /** The 99th percentile. */
  readonly p99: number;
  /** The largest delay. */
  readonly max: number;
}

/** HTTP figures over the window, all routes together, and per route. */
export interface HttpTotals {
  /** Requests in the window. */
  readonly requests: number;
  /** Requests per second over the window. */
  readonly ratePerSecond: number;
  /** 5xx responses in the window. */
  readonly errors: number;
  /** `errors / requests`, 0 without requests. */
  readonly errorRate: number;
  /** Per route, busiest first. */
  readonly routes: readonly RouteFigures[];
}

/** The latest result of one health check. */
export interface CheckFigures {
  /** `pass`, `warn` or `fail`. */
  readonly status: string;
  /** Whether the check gates readiness. */
  readonly critical: boolean;
  /** How long it took, in milliseconds. */
  readonly durationMs: number;
}

/** Process figures of a snapshot. */
export interface ProcessFigures {
  /** The process id. */
  readonly pid: number;
  /** Seconds since the process started. */
  readonly uptimeSeconds: number;
  /** Resident set size. */
  readonly rssBytes: number;
  /** V8 heap in use. */
  readonly heapUsedBytes: number;
  /** V8 heap reserved. */
  readonly heapTotalBytes: number;
  /** Event-loop delay since the previous snapshot (ms): mean, p99 and max. */
  readonly eventLoopDelayMs: EventLoopDelay;
  /** Event-loop utilisation (0 to 1) since the previous snapshot. */
  readonly eventLoopUtilization: number;
}

/** The JSON document of {@link Metrics.snapshot}. */
export interface MetricsSnapshot {
  /** When it was made, ISO 8601. */
  readonly generatedAt: string;
  /** The sliding window of the HTTP figures, in milliseconds. */
  readonly windowMs: number;
  /** The health source's answer, `null` without one. */
  readonly health: unknown;
  /** HTTP RED figures over the window, in total and per route (busiest first). */
  readonly http: HttpTotals;
  /** The slowest statements. */
  readonly queries: {
    /** The slowest distinct statements, slowest first. */
    readonly slowest: readonly SlowQuery[];
  };
  /** The most recently seen error groups (at most 20). */
  readonly errors: {
    /** Error groups, most recently seen first. */
    readonly groups: readonly ErrorGroup[];
  };
  /** The alerts firing at the last evaluation. */
  readonly alerts: {
    /** The firing alerts. */
    readonly active: readonly Alert[];
  };
  /** Circuit breaker states by dependency (from `instrumentRetry`). */
  readonly breakers: Readonly<Record<string, string>>;
  /** Latest health check results by name (from `instrumentHealth`). */
  readonly checks: Readonly<Record<string, CheckFigures>>;
  /** Process figures. */
  readonly process: ProcessFigures;
}

/** What {@link createMetrics} returns. */
export interface Metrics {
  /** The prom-client registry this object owns. */
  readonly registry: Registry;
  /** The HTTP RED histogram. */
  readonly http: HttpMetrics;
  /** The error tracker; tracking also counts `arm_app_errors_total{code}`. */
  readonly errors: ErrorTracker;
  /** The query profiler; statements feed `db_client_operation_duration_seconds`. */
  readonly queries: QueryProfiler;
  /** The alerts (no rules unless configured). */
  readonly alerts: Alerts;
  /**
   * Gets or creates a counter: the same name and shape return the existing one.
   * @throws ConfigurationError when the name is taken by another type or label set.
   */
  counter<L extends string = never>(config: MetricConfig<L>): Counter<L>;
  /**
   * Gets or creates a gauge: the same name and shape return the existing one.
   * @throws ConfigurationError when the name is taken by another type or label set.
   */
  gauge<L extends string = never>(config: MetricConfig<L>): Gauge<L>;
  /**
   * Gets or creates a histogram: the same name and shape return the existing one.
   * @throws ConfigurationError when the name is taken by another type or label set.
   */
  histogram<L extends string = never>(config: HistogramConfig<L>): Histogram<L>;
  /** The exposition to answer a scrape with. */
  expose(options?: ExposeOptions): Promise<Exposition>;
  /** Sets (or replaces) where `snapshot()` reads health from. */
  attachHealth(source: HealthSource): void;
  /** One JSON document for dashboards. */
  snapshot(): Promise<MetricsSnapshot>;
  /**
   * Stops the alert timer and the event-loop monitor; a cluster worker's registry stops
   * answering the primary (so a hot reload does not count twice).
   */
  close(): void;
}

/** @internal State the `instrument*` helpers share with the snapshot and the alerts. */
export interface MetricsInternals {
  readonly breakers: Map<string, string>;
  readonly checks: Map<string, { status: string; critical: boolean; durationMs: number }>;
  bounded(label: string): (value: string) => string;
}

const INTERNALS = new WeakMap<Metrics, MetricsInternals>();
const workerRegistries: Registry[] = [];

/** @internal The shared state of a metrics object. */
export function internals(metrics: Metrics): MetricsInternals {
  const state = INTERNALS.get(metrics);
  if (state === undefined) {
    throw new ConfigurationError(
      '[@arm/metrics] instrument* needs an object made by createMetrics()',
    );
  }
  return state;
}

function boundedValues(max: number, overflow = '__other__'): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    const label = value;
    if (seen.has(label)) return label;
    if (seen.size >= max) return overflow;
    seen.add(label);
    return label;
  };
}

/**
 * Creates the metrics of one process.
 *
 * @param options - Default metrics and labels, HTTP, errors, queries, alerts, health, clock.
 * @returns A {@link Metrics} object.
 * @throws ConfigurationError when an option is out of range.
 * @example
 * ```ts
 * const metrics = createMetrics({ defaultLabels: { service: 'orders' } });
 * metrics.http.observe({ method: 'GET', route: '/orders/:id', status: 200, durationMs: 12 });
 * const { contentType, body } = await metrics.expose();
 * ```
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const clock = options.clock ?? Date.now;
  const registry = new Registry();
  if (options.defaultLabels !== undefined) registry.setDefaultLabels({ ...options.defaultLabels });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  const shapes = new Map<string, string>();
  const getOrCreate = <M>(
    type: 'counter' | 'gauge' | 'histogram',
    config: HistogramConfig<string>,
    create: () => M,
  ): M => {
    const given = config as Partial<HistogramConfig<string>> | undefined;
    if (typeof given?.name !== 'string' || typeof given.help !== 'string') {
      optionError(`${type}.name`, 'a metric name and a help text', given?.name);
    }
    const shape = `${type}:${[...(config.labelNames ?? [])].sort().join(',')}:${(config.buckets ?? []).join(',')}`;
    const existing = registry.getSingleMetric(config.name);
    if (existing !== undefined) {
      const known = shapes.get(config.name);
      if (
        known === undefined
          ? (existing as unknown as { type: string }).type !== type
          : known !== shape
      ) {
        throw new ConfigurationError(
          `[@arm/metrics] metric "${config.name}" already exists with another type, label set or buckets; give this one another name`,
        );
      }
      return existing as M;
    }
    shapes.set(config.name, shape);
    return create();
  };

  const labelBounds = new Map<string, (value: string) => string>();
  const bounded = (label: string) => {
    let bound = labelBounds.get(label);
    if (bound === undefined) {
      bound = boundedValues(100);
      labelBounds.set(label, bound);
    }
    return bound;
  };
  const state: MetricsInternals = { breakers: new Map(), checks: new Map(), bounded };

  let overflow: Counter | undefined;
  const http = createHttpCore(
    options.http ?? {},
    clock,
    () => {
      overflow ??= metrics.counter({
        name: 'arm_http_route_overflow_total',
        help: 'Requests counted under the overflow route because the distinct-route cap was reached.',
      });
      overflow.inc();
    },
    options.defaultLabels,
  );
  registry.registerMetric(http.metric as unknown as Metric);
  shapes.set(http.metric.name, 'arm-http');

  const appErrors = new Counter({
    name: 'arm_app_errors_total',
    help: 'Errors tracked, by AppError code and status.',
    labelNames: ['code', 'status'],
    registers: [registry],
  });
  shapes.set('arm_app_errors_total', 'counter:code,status:');
  const code = boundedValues(200);
  const errors = createErrorTracker({
    ...options.errors,
    clock,
    onTrack: (group, isNew) => {
      appErrors.inc({ code: code(group.code), status: String(group.status) });
      options.errors?.onTrack?.(group, isNew);
    },
  });

  const queryDuration = new Histogram({
    name: 'db_client_operation_duration_seconds',
    help: 'Duration of database statements, by system and normalised statement.',
    labelNames: ['db_system_name', 'db_query_summary'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  shapes.set(
    'db_client_operation_duration_seconds',
    'histogram:db_query_summary,db_system_name:0.001,0.005,0.01,0.025,0.05,0.1,0.25,0.5,1,2.5,5,10',
  );
  const statement = boundedValues(options.queries?.maxStatements ?? 200);
  const queries = createQueryProfiler({
    ...options.queries,
    clock,
    onQuery: (event) => {
      queryDuration.observe(
        {
          db_system_name: event.system,
          db_query_summary: statement(
            event.statement.length > 200 ? `${event.statement.slice(0, 200)}...` : event.statement,
          ),
        },
        Math.max(0, event.durationMs) / 1000,
      );
    },
  });

  const alerts = createAlerts(options.alerts ?? { rules: [] }, {
    clock,
    windowMs: http.windowMs,
    routes: () => http.routes(),
    breakers: () => state.breakers,
    checks: () => state.checks,
  });

  if (options.cluster === true && cluster.isWorker) {
    workerRegistries.push(registry);
    AggregatorRegistry.setRegistries(workerRegistries);
    new AggregatorRegistry();
  }

  let health = options.health;
  let delay: IntervalHistogram | undefined;
  let utilization: EventLoopUtilization | undefined;
  let lock: Promise<unknown> = Promise.resolve();

  const expose = (exposeOptions: ExposeOptions = {}): Promise<Exposition> => {
    const openMetrics =
      exposeOptions.format === undefined
        ? (exposeOptions.accept ?? '').includes('application/openmetrics-text')
        : exposeOptions.format === 'openmetrics';
    // The registry's own formatting for every metric but the HTTP histogram, which renders
    // itself from cached label text (the bulk of a scrape). prom-client strips `_total` from
    // counter names while it writes OpenMetrics and reads the content type after awaiting:
    // scrapes run one at a time, and names and content type are restored after.
    // prom-client's per-metric formatter, given the metric itself (never looked up by name).
    const format = (metric: unknown) =>
      (
        registry as unknown as { getMetricsAsString(m: unknown): Promise<string> }
      ).getMetricsAsString(metric);
    const run = lock.then(async () => {
      const all = registry.getMetricsAsArray().map((metric) => [metric, metric.name] as const);
      const contentType = openMetrics ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE;
      if (openMetrics) {
        registry.setContentType(OPENMETRICS_CONTENT_TYPE as typeof registry.contentType);
        for (const [metric, name] of all) {
          if ((metric as unknown as { type: string }).type === 'counter') {
            (metric as { name: string }).name = name.replace(/_total$/, '');
          }
        }
      }
      try {
        const parts = await Promise.all(
          all.map(([metric]) =>
            metric === (http.metric as unknown) ? Promise.resolve(http.render()) : format(metric),
          ),
        );
        const body = openMetrics ? `${parts.join('\n')}\n# EOF\n` : `${parts.join('\n\n')}\n`;
        return { contentType, body };
      } finally {
        registry.setContentType(PROMETHEUS_CONTENT_TYPE);
        for (const [metric, name] of all) (metric as { name: string }).name = name;
      }
    });
    lock = run.catch(() => undefined);
    return run;
  };

  const processFigures = (): ProcessFigures => {
    if (delay === undefined) {
      delay = monitorEventLoopDelay({ resolution: 20 });
      delay.enable();
    }
    const memory = process.memoryUsage();
    const current = performance.eventLoopUtilization();
    const elu =
      utilization === undefined ? current : performance.eventLoopUtilization(current, utilization);
    utilization = current;
    const figures: ProcessFigures = {
      pid: process.pid,
      uptimeSeconds: process.uptime(),
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      heapTotalBytes: memory.heapTotal,
      eventLoopDelayMs: {
        mean: finite(delay.mean / 1e6),
        p99: finite(delay.percentile(99) / 1e6),
        max: finite(delay.max / 1e6),
      },
      eventLoopUtilization: elu.utilization,
    };
    delay.reset();
    return figures;
  };

  const readHealth = async (): Promise<unknown> => {
    if (health === undefined) return null;
    try {
      if (typeof health === 'function') return await health();
      return (await health.ready()).body;
    } catch (error) {
      return { status: 'fail', output: error instanceof Error ? error.message : String(error) };
    }
  };

  const metrics: Metrics = {
    registry,
    http,
    errors,
    queries,
    alerts,
    counter: (config) =>
      getOrCreate(
        'counter',
        config,
        () =>
          new Counter({
            ...config,
            labelNames: [...(config.labelNames ?? [])],
            registers: [registry],
          }),
      ),
    gauge: (config) =>
      getOrCreate(
        'gauge',
        config,
        () =>
          new Gauge({
            ...config,
            labelNames: [...(config.labelNames ?? [])],
            registers: [registry],
          }),
      ),
    histogram: (config) =>
      getOrCreate(
        'histogram',
        config,
        () =>
          new Histogram({
            name: config.name,
            help: config.help,
            labelNames: [...(config.labelNames ?? [])],
            ...(config.buckets === undefined ? {} : { buckets: [...config.buckets] }),
            registers: [registry],
          }),
      ),
    expose,
    attachHealth: (source) => {
      health = source;
    },
    async snapshot() {
      const routes = http.routes();
      let requests = 0;
      let failed = 0;
      for (const route of routes) {
        requests += route.requests;
        failed += route.errors;
      }
      return {
        generatedAt: new Date(clock()).toISOString(),
        windowMs: http.windowMs,
        health: await readHealth(),
        http: {
          requests,
          ratePerSecond: requests / (http.windowMs / 1000),
          errors: failed,
          errorRate: requests === 0 ? 0 : failed / requests,
          routes,
        },
        queries: { slowest: queries.slowest() },
        errors: { groups: errors.groups(20) },
        alerts: { active: alerts.active() },
        breakers: Object.fromEntries(state.breakers),
        checks: Object.fromEntries([...state.checks].map(([name, check]) => [name, { ...check }])),
        process: processFigures(),
      };
    },
    close() {
      alerts.close();
      const at = workerRegistries.indexOf(registry);
      if (at >= 0) {
        workerRegistries.splice(at, 1);
        AggregatorRegistry.setRegistries(workerRegistries);
      }
      delay?.disable();
      delay = undefined;
    },
  };
  INTERNALS.set(metrics, state);
  return metrics;
}

function finite(value: number): number {
  return Number.isFinite(value) ? value : 0;
}

/** What {@link createClusterMetrics} returns. */
export interface ClusterMetrics {
  /**
   * Asks every worker for its metrics (workers made theirs with `createMetrics({ cluster: true })`)
   * and answers them aggregated: counters and histograms summed, gauges as prom-client's
   * default metrics declare. Prometheus text format.
   * @throws Error when a worker does not answer within 5 seconds (prom-client's limit).
   */
  expose(): Promise<Exposition>;
}

/**
 * The cluster primary's side of cluster aggregation: one scrape of the primary answers for all
 * workers, so `rate()` is not skewed by scrapes landing on different workers.
 *
 * @returns A {@link ClusterMetrics}.
 * @throws ConfigurationError when called outside the cluster primary.
 * @example
 * ```ts
 * if (cluster.isPrimary) {
 *   const aggregated = createClusterMetrics();
 *   http.createServer(async (_, res) => {
 *     const { contentType, body } = await aggregated.expose();
 *     res.writeHead(200, { 'content-type': contentType }).end(body);
 *   }).listen(9464);
 * }
 * ```
 */
export function createClusterMetrics(): ClusterMetrics {
  if (!cluster.isPrimary) {
    throw new ConfigurationError(
      '[@arm/metrics] createClusterMetrics() runs in the cluster primary; workers use createMetrics({ cluster: true })',
    );
  }
  const aggregator = new AggregatorRegistry();
  return {
    async expose() {
      return { contentType: PROMETHEUS_CONTENT_TYPE, body: await aggregator.clusterMetrics() };
    },
  };
}
