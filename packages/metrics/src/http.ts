/**
 * HTTP RED metrics under OpenTelemetry's semantic-convention names: one histogram,
 * `http_server_request_duration_seconds`, labelled by method, route template and status.
 *
 * The hot path never hashes labels. Each (route, method, status) series is a small record of
 * typed arrays found through one Map lookup per route and one per method-and-status number;
 * the histogram is a prom-client metric object of its own kind, so the registry, OpenMetrics
 * and cluster aggregation format it like any other. Each route also keeps a ring of time
 * slots (bucket counts, errors) from which `routes()` computes windowed rates and percentiles.
 */
import { checkCount, checkPositive, optionError } from './_option-error';

/** OpenTelemetry's advised bucket boundaries for `http.server.request.duration`, in seconds. */
export const HTTP_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
]);

/** The name of the HTTP duration histogram (OpenTelemetry `http.server.request.duration`). */
export const HTTP_DURATION_METRIC = 'http_server_request_duration_seconds';

/** One finished request, as an adapter reports it. */
export interface HttpObservation {
  /** The request method; anything outside the known HTTP methods is counted as `_OTHER`. */
  readonly method: string;
  /**
   * The route template (`/users/:id`), never the raw URL. Missing or empty when no route
   * matched: such requests share one label value.
   */
  readonly route?: string | null | undefined;
  /** The response status code. */
  readonly status: number;
  /** How long the request took, in milliseconds. */
  readonly durationMs: number;
}

/** Options of the HTTP metrics (`createMetrics({ http })`). */
export interface HttpMetricsOptions {
  /**
   * Histogram bucket upper bounds, in seconds, ascending.
   * @defaultValue {@link HTTP_DURATION_BUCKETS}
   */
  readonly buckets?: readonly number[];
  /**
   * The most distinct route labels; requests on further routes are counted under
   * `overflowRoute`, and each such request increments `arm_http_route_overflow_total`.
   * @defaultValue `500`
   */
  readonly maxRoutes?: number;
  /**
   * The route label of requests that matched no route.
   * @defaultValue `'__unmatched__'`
   */
  readonly unmatchedRoute?: string;
  /**
   * The route label of requests beyond `maxRoutes`.
   * @defaultValue `'__other__'`
   */
  readonly overflowRoute?: string;
  /**
   * The sliding window of `routes()` and `snapshot()`, in milliseconds.
   * @defaultValue `60_000`
   */
  readonly windowMs?: number;
  /**
   * How many slots the window is cut into; the window slides by `windowMs / windowSlots`.
   * @defaultValue `12`
   */
  readonly windowSlots?: number;
}

/** Windowed figures of one route. Durations in milliseconds. */
export interface RouteFigures {
  /** The route label. */
  readonly route: string;
  /** Requests in the window. */
  readonly requests: number;
  /** Requests per second over the window. */
  readonly ratePerSecond: number;
  /** Requests answered with a 5xx status in the window. */
  readonly errors: number;
  /** `errors / requests`, 0 without requests. */
  readonly errorRate: number;
  /** Mean duration. */
  readonly meanMs: number;
  /** Median, interpolated within its histogram bucket as Prometheus' `histogram_quantile`. */
  readonly p50Ms: number;
  /** 95th percentile, interpolated within its histogram bucket. */
  readonly p95Ms: number;
  /** 99th percentile, interpolated within its histogram bucket. */
  readonly p99Ms: number;
}

/** The HTTP side of {@link Metrics}: the hot-path `observe` and the windowed figures. */
export interface HttpMetrics {
  /**
   * Records one finished request. Never throws: a non-finite duration is ignored and a
   * negative one counts as 0.
   */
  observe(observation: HttpObservation): void;
  /** Windowed figures of every route seen in the window, busiest first. */
  routes(): RouteFigures[];
  /** Windowed figures of one route, or `undefined` when it had no request in the window. */
  route(route: string): RouteFigures | undefined;
}

const METHODS = ['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE'];
const OTHER_METHOD = METHODS.length;
const METHOD_LABELS = [...METHODS, '_OTHER'];
const METHOD_INDEX = Object.create(null) as Record<string, number | undefined>;
METHODS.forEach((method, index) => (METHOD_INDEX[method] = index));

function methodIndex(method: string): number {
  if (typeof method !== 'string') return OTHER_METHOD;
  return METHOD_INDEX[method.toUpperCase()] ?? OTHER_METHOD;
}

/** One labelled series: per-bucket (not cumulative) counts, the last slot being +Inf. */
interface Series {
  readonly labels: Readonly<Record<string, string>>;
  /** The label pairs as written in the exposition, made on first render. */
  text?: string;
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/** One time slot of a route's window. */
interface Slot {
  epoch: number;
  readonly counts: Float64Array;
  count: number;
  errors: number;
  sum: number;
}

interface RouteEntry {
  readonly route: string;
  readonly series: Map<number, Series>;
  readonly slots: Slot[];
}

/** A value of prom-client's metric-object protocol. */
interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
  sharedLabels?: Record<string, string>;
}

/** What prom-client's registry reads from a metric (`get`, `getForPromString`, `reset`). */
export interface RegistrableMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'histogram';
  readonly aggregator: 'sum';
  get(): Promise<{
    name: string;
    help: string;
    type: 'histogram';
    aggregator: 'sum';
    values: MetricValue[];
  }>;
  getForPromString(): Promise<{
    name: string;
    help: string;
    type: 'histogram';
    aggregator: 'sum';
    values: MetricValue[];
  }>;
  reset(): void;
}

/** @internal The HTTP metrics and the metric object a registry formats. */
export interface HttpCore extends HttpMetrics {
  readonly metric: RegistrableMetric;
  readonly windowMs: number;
  /** The family as exposition text (HELP, TYPE, samples), no trailing newline. */
  render(): string;
}

/** @internal Builds the HTTP metrics; `onOverflow` is called once per overflowing request. */
export function createHttpCore(
  options: HttpMetricsOptions,
  clock: () => number,
  onOverflow: () => void,
  defaultLabels: Readonly<Record<string, string>> = {},
): HttpCore {
  const buckets: readonly number[] = options.buckets ?? HTTP_DURATION_BUCKETS;
  if (!validBuckets(buckets)) optionError('http.buckets', 'ascending positive numbers', buckets);
  checkCount('http.maxRoutes', options.maxRoutes);
  checkPositive('http.windowMs', options.windowMs);
  checkCount('http.windowSlots', options.windowSlots);
  const maxRoutes = options.maxRoutes ?? 500;
  const unmatchedRoute = options.unmatchedRoute ?? '__unmatched__';
  const overflowRoute = options.overflowRoute ?? '__other__';
  const windowMs = options.windowMs ?? 60_000;
  const slotCount = options.windowSlots ?? 12;
  const slotMs = windowMs / slotCount;
  const bounds = Float64Array.from(buckets);
  const size = bounds.length + 1;
  const leLabels: Record<string, string | number>[] = [
    ...buckets.map((bound): Record<string, string | number> => ({ le: bound })),
    { le: '+Inf' },
  ];
  const noLabels: Record<string, string> = {};

  let routes = new Map<string, RouteEntry>();
  let all: Series[] = [];

  const newEntry = (route: string): RouteEntry => ({
    route,
    series: new Map(),
    slots: Array.from({ length: slotCount }, () => ({
      epoch: -1,
      counts: new Float64Array(size),
      count: 0,
      errors: 0,
      sum: 0,
    })),
  });

  const entryFor = (route: string | null | undefined): RouteEntry => {
    const label = route === undefined || route === null || route === '' ? unmatchedRoute : route;
    let entry = routes.get(label);
    if (entry !== undefined) return entry;
    if (routes.size >= maxRoutes && label !== unmatchedRoute && label !== overflowRoute) {
      onOverflow();
      entry = routes.get(overflowRoute);
      if (entry !== undefined) return entry;
      entry = newEntry(overflowRoute);
      routes.set(overflowRoute, entry);
      return entry;
    }
    entry = newEntry(label);
    routes.set(entry.route, entry);
    return entry;
  };

  const newSeries = (entry: RouteEntry, method: number, status: number): Series => {
    const series: Series = {
      labels: Object.freeze({
        http_request_method: METHOD_LABELS[method] as string,
        http_route: entry.route,
        http_response_status_code: status === 0 ? '_OTHER' : String(status),
      }),
      counts: new Float64Array(size),
      sum: 0,
      count: 0,
    };
    entry.series.set(method * 1000 + status, series);
    all.push(series);
    return series;
  };

  const observe = (observation: HttpObservation): void => {
    const { route, status, durationMs } = observation;
    let entry = route === undefined || route === null ? undefined : routes.get(route);
    entry ??= entryFor(route);
    const method = METHOD_INDEX[observation.method] ?? methodIndex(observation.method);
    const code = status >= 100 && status < 600 && (status | 0) === status ? status : 0;
    const series = entry.series.get(method * 1000 + code) ?? newSeries(entry, method, code);
    let seconds = durationMs / 1000;
    if (!(seconds >= 0)) {
      if (!(seconds < 0)) return;
      seconds = 0;
    } else if (seconds === Infinity) return;
    let index = 0;
    while (index < bounds.length && seconds > (bounds[index] as number)) index++;
    (series.counts[index] as number)++;
    series.sum += seconds;
    series.count++;
    const epoch = Math.floor(clock() / slotMs);
    const slot = entry.slots[epoch % slotCount] as Slot;
    if (slot.epoch !== epoch) {
      slot.epoch = epoch;
      slot.counts.fill(0);
      slot.count = 0;
      slot.errors = 0;
      slot.sum = 0;
    }
    (slot.counts[index] as number)++;
    slot.count++;
    slot.sum += seconds;
    if (code >= 500) slot.errors++;
  };

  const figures = (entry: RouteEntry, epoch: number): RouteFigures | undefined => {
    const counts = new Float64Array(size);
    let count = 0;
    let errors = 0;
    let sum = 0;
    for (const slot of entry.slots) {
      if (slot.epoch <= epoch - slotCount || slot.epoch > epoch || slot.count === 0) continue;
      for (let i = 0; i < size; i++) (counts[i] as number) += slot.counts[i] as number;
      count += slot.count;
      errors += slot.errors;
      sum += slot.sum;
    }
    if (count === 0) return undefined;
    return {
      route: entry.route,
      requests: count,
      ratePerSecond: count / (windowMs / 1000),
      errors,
      errorRate: errors / count,
      meanMs: (sum / count) * 1000,
      p50Ms: quantile(0.5, bounds, counts, count) * 1000,
      p95Ms: quantile(0.95, bounds, counts, count) * 1000,
      p99Ms: quantile(0.99, bounds, counts, count) * 1000,
    };
  };

  const values = (splay: boolean): MetricValue[] => {
    const out: MetricValue[] = [];
    // A sample of `series`, with `extra` labels (a bucket's `le`): splayed into one object of
    // labels, or sharing the series' labels.
    const sample = (
      series: Series,
      value: number,
      metricName: string,
      extra?: Record<string, string | number>,
    ): MetricValue =>
      splay
        ? { value, labels: { ...series.labels, ...extra }, metricName }
        : { value, labels: extra ?? noLabels, sharedLabels: series.labels, metricName };
    const bucketName = `${HTTP_DURATION_METRIC}_bucket`;
    for (const series of all) {
      let cumulative = 0;
      for (let i = 0; i < size; i++) {
        cumulative += series.counts[i] as number;
        out.push(sample(series, cumulative, bucketName, leLabels[i]));
      }
      out.push(
        sample(series, series.sum, `${HTTP_DURATION_METRIC}_sum`),
        sample(series, series.count, `${HTTP_DURATION_METRIC}_count`),
      );
    }
    return out;
  };

  const describe = (splay: boolean) =>
    Promise.resolve({
      name: HTTP_DURATION_METRIC,
      help: HELP,
      type: 'histogram' as const,
      aggregator: 'sum' as const,
      values: values(splay),
    });

  const leText = [...buckets.map((bound) => `le="${String(bound)}",`), 'le="+Inf",'];
  const defaultsText = Object.entries(defaultLabels)
    .filter(([name]) => !LABEL_NAMES.includes(name))
    .map(([name, value]) => `,${name}="${escapeLabel(value)}"`)
    .join('');
  const render = (): string => {
    const name = HTTP_DURATION_METRIC;
    const out = [`# HELP ${name} ${HELP}`, `# TYPE ${name} histogram`];
    for (const series of all) {
      series.text ??=
        `http_request_method="${escapeLabel(series.labels.http_request_method as string)}",` +
        `http_route="${escapeLabel(series.labels.http_route as string)}",` +
        `http_response_status_code="${series.labels.http_response_status_code as string}"${defaultsText}}`;
      const labels = series.text;
      let cumulative = 0;
      for (let i = 0; i < size; i++) {
        cumulative += series.counts[i] as number;
        out.push(`${name}_bucket{${leText[i] as string}${labels} ${String(cumulative)}`);
      }
      out.push(
        `${name}_sum{${labels} ${String(series.sum)}`,
        `${name}_count{${labels} ${String(series.count)}`,
      );
    }
    return out.join('\n');
  };

  const metric: RegistrableMetric = {
    name: HTTP_DURATION_METRIC,
    help: HELP,
    type: 'histogram',
    aggregator: 'sum',
    get: () => describe(true),
    getForPromString: () => describe(false),
    reset: () => {
      routes = new Map();
      all = [];
    },
  };

  return {
    metric,
    windowMs,
    render,
    observe,
    routes: () => {
      const epoch = Math.floor(clock() / slotMs);
      const out: RouteFigures[] = [];
      for (const entry of routes.values()) {
        const result = figures(entry, epoch);
        if (result !== undefined) out.push(result);
      }
      return out.sort((a, b) => b.requests - a.requests);
    },
    route: (route) => {
      const entry = routes.get(route);
      return entry === undefined ? undefined : figures(entry, Math.floor(clock() / slotMs));
    },
  };
}

const HELP = 'Duration of HTTP server requests, by method, route template and status code.';
const LABEL_NAMES = ['http_request_method', 'http_route', 'http_response_status_code'];

function escapeLabel(value: string | number): string {
  return String(value).replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function validBuckets(buckets: unknown): boolean {
  if (!Array.isArray(buckets) || buckets.length === 0) return false;
  let previous = 0;
  for (const bound of buckets as unknown[]) {
    if (typeof bound !== 'number' || !(bound > previous) || bound === Infinity) return false;
    previous = bound;
  }
  return true;
}

/**
 * @internal
 * The `q` quantile of per-bucket counts, interpolated linearly within its bucket as
 * Prometheus' `histogram_quantile` does; the +Inf bucket answers the highest finite bound.
 */
export function quantile(
  q: number,
  bounds: ArrayLike<number>,
  counts: ArrayLike<number>,
  total: number,
): number {
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < bounds.length; i++) {
    const inBucket = counts[i] as number;
    if (below + inBucket >= rank && inBucket > 0) {
      const lower = i === 0 ? 0 : (bounds[i - 1] as number);
      const upper = bounds[i] as number;
      return lower + (upper - lower) * ((rank - below) / inBucket);
    }
    below += inBucket;
  }
  return bounds[bounds.length - 1] as number;
}
