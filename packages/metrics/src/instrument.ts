/**
 * `instrument*` helpers: hook objects for @arm/retry, @arm/cache, @arm/ratelimit and
 * @arm/health that turn their events into Prometheus series. The hook types here are
 * structural (this package depends on none of those), so each helper's result can be passed
 * as the `hooks` option of the object it instruments. Label values are capped at 100 per
 * label; further values count as `__other__`.
 */
import type { Metrics } from './metrics';
import { internals } from './metrics';

/** A circuit breaker state, as @arm/retry names them. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** A health status, as @arm/health names them. */
export type CheckStatus = 'pass' | 'warn' | 'fail';

/** Hooks for `createResilience({ hooks })` and every @arm/retry policy (structural). */
export interface RetryMetricsHooks {
  /** Counts attempts. */
  onAttempt(event: { readonly dependency: string }): void;
  /** Counts retries by reason. */
  onRetry(event: { readonly dependency: string; readonly reason: string }): void;
  /** Counts give-ups by reason. */
  onGiveUp(event: { readonly dependency: string; readonly reason: string }): void;
  /** Counts retries refused by the budget. */
  onBudgetExhausted(event: { readonly dependency: string }): void;
  /** Sets the breaker state gauge and counts transitions. */
  onStateChange(event: { readonly dependency: string; readonly to: BreakerState }): void;
  /** Counts calls refused by an open breaker. */
  onRejected(event: { readonly dependency: string }): void;
  /** Counts slow calls. */
  onSlowCall(event: { readonly dependency: string }): void;
  /** Counts timeouts. */
  onTimeout(event: { readonly dependency: string }): void;
  /** Counts bulkhead rejections. */
  onBulkheadRejected(event: { readonly dependency: string }): void;
  /** Counts fallbacks. */
  onFallback(event: { readonly dependency: string }): void;
}

/** Hooks for `createCache({ hooks })` of @arm/cache (structural). */
export interface CacheMetricsHooks {
  /** Counts hits by tier. */
  hit(event: { readonly tier: string }): void;
  /** Counts misses. */
  miss(event: unknown): void;
  /** Counts stale serves by reason. */
  staleServed(event: { readonly reason: string }): void;
  /** Observes loader durations. */
  loaded(event: { readonly durationMs: number }): void;
  /** Counts lease waits. */
  leaseWait(event: unknown): void;
  /** Counts evictions by reason. */
  evicted(event: { readonly reason: string }): void;
  /** Counts errors by operation. */
  error(event: { readonly operation: string }): void;
  /** Sets the bus gauge to 1. */
  busUp(event: unknown): void;
  /** Sets the bus gauge to 0. */
  busDown(event: unknown): void;
  /** Counts bus messages by kind. */
  busMessage(event: { readonly kind: string }): void;
}

/** Hooks for `createRateLimiter({ hooks })` of @arm/ratelimit (structural). */
export interface RateLimitMetricsHooks {
  /** Counts decisions by outcome and source. */
  decision(event: {
    readonly result: { readonly allowed: boolean; readonly source: string };
  }): void;
  /** Counts store errors by the mode applied. */
  storeError(event: { readonly mode: string }): void;
  /** Sets the fallback gauge to 1. */
  fallbackStart(event: unknown): void;
  /** Sets the fallback gauge to 0. */
  fallbackEnd(event: unknown): void;
}

/** Hooks for `createHealth({ hooks })` of @arm/health (structural). */
export interface HealthMetricsHooks {
  /** Sets the check status gauge and observes the check duration. */
  onCheck(event: {
    readonly name: string;
    readonly status: CheckStatus;
    readonly critical: boolean;
    readonly durationMs: number;
  }): void;
  /** Sets the probe status gauge. */
  onStatusChange(event: { readonly probe: string; readonly to: CheckStatus }): void;
}

/** Options of the `instrument*` helpers. */
export interface InstrumentOptions<H> {
  /**
   * The instance name, a label of every series (`cache`, `limiter`); ignored by
   * `instrumentRetry` and `instrumentHealth`, whose events name themselves.
   * @defaultValue `'default'`
   */
  readonly name?: string;
  /**
   * Your own hooks, called after the metrics' ones.
   * @defaultValue none
   */
  readonly hooks?: Partial<H>;
}

const BREAKER_VALUE: Partial<Record<string, number>> = { closed: 0, 'half-open': 1, open: 2 };
const STATUS_VALUE: Partial<Record<string, number>> = { pass: 0, warn: 1, fail: 2 };

function chain<H extends object>(own: H, extra: Partial<H> | undefined): H {
  if (extra === undefined) return own;
  const out = { ...own } as Record<string, (event: unknown) => void>;
  for (const [name, hook] of Object.entries(extra) as [string, (event: unknown) => void][]) {
    const mine = out[name];
    out[name] =
      mine === undefined
        ? hook
        : (event: unknown) => {
            mine(event);
            hook(event);
          };
  }
  return out as H;
}

/**
 * Hooks for @arm/retry that keep `arm_retry_*`, `arm_circuit_breaker_*`, `arm_timeouts_total`,
 * `arm_bulkhead_rejections_total` and `arm_fallbacks_total`, labelled by `dependency`. The
 * breaker state gauge (0 closed, 1 half-open, 2 open) also feeds `snapshot()` and the
 * `breaker-open` alert rule.
 *
 * @param metrics - The metrics to write into.
 * @param options - Your own hooks to call as well.
 * @returns Hooks to pass as `createResilience({ hooks })` (or any policy's `hooks`).
 * @example
 * ```ts
 * const resilience = createResilience({ hooks: instrumentRetry(metrics) });
 * ```
 */
export function instrumentRetry(
  metrics: Metrics,
  options: InstrumentOptions<RetryMetricsHooks> = {},
): RetryMetricsHooks {
  const state = internals(metrics);
  const dep = state.bounded('dependency');
  const labelNames = ['dependency'] as const;
  const attempts = metrics.counter({
    name: 'arm_retry_attempts_total',
    help: 'Attempts made by retry policies.',
    labelNames,
  });
  const retries = metrics.counter({
    name: 'arm_retry_retries_total',
    help: 'Retries, by reason.',
    labelNames: ['dependency', 'reason'],
  });
  const giveUps = metrics.counter({
    name: 'arm_retry_give_ups_total',
    help: 'Calls that stopped retrying, by reason.',
    labelNames: ['dependency', 'reason'],
  });
  const budget = metrics.counter({
    name: 'arm_retry_budget_exhausted_total',
    help: 'Retries refused by the retry budget.',
    labelNames,
  });
  const breaker = metrics.gauge({
    name: 'arm_circuit_breaker_state',
    help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open.',
    labelNames,
  });
  const transitions = metrics.counter({
    name: 'arm_circuit_breaker_transitions_total',
    help: 'Circuit breaker state changes, by new state.',
    labelNames: ['dependency', 'to'],
  });
  const rejected = metrics.counter({
    name: 'arm_circuit_breaker_rejections_total',
    help: 'Calls refused by an open circuit breaker.',
    labelNames,
  });
  const slow = metrics.counter({
    name: 'arm_circuit_breaker_slow_calls_total',
    help: 'Calls over the slow-call threshold.',
    labelNames,
  });
  const timeouts = metrics.counter({
    name: 'arm_timeouts_total',
    help: 'Calls aborted by a timeout policy.',
    labelNames,
  });
  const bulkhead = metrics.counter({
    name: 'arm_bulkhead_rejections_total',
    help: 'Calls refused by a full bulkhead.',
    labelNames,
  });
  const fallbacks = metrics.counter({
    name: 'arm_fallbacks_total',
    help: 'Calls answered by a fallback.',
    labelNames,
  });
  return chain<RetryMetricsHooks>(
    {
      onAttempt: (e) => {
        attempts.inc({ dependency: dep(e.dependency) });
      },
      onRetry: (e) => {
        retries.inc({ dependency: dep(e.dependency), reason: e.reason });
      },
      onGiveUp: (e) => {
        giveUps.inc({ dependency: dep(e.dependency), reason: e.reason });
      },
      onBudgetExhausted: (e) => {
        budget.inc({ dependency: dep(e.dependency) });
      },
      onStateChange: (e) => {
        const dependency = dep(e.dependency);
        breaker.set({ dependency }, BREAKER_VALUE[e.to as string] ?? 0);
        transitions.inc({ dependency, to: e.to });
        state.breakers.set(dependency, e.to);
      },
      onRejected: (e) => {
        rejected.inc({ dependency: dep(e.dependency) });
      },
      onSlowCall: (e) => {
        slow.inc({ dependency: dep(e.dependency) });
      },
      onTimeout: (e) => {
        timeouts.inc({ dependency: dep(e.dependency) });
      },
      onBulkheadRejected: (e) => {
        bulkhead.inc({ dependency: dep(e.dependency) });
      },
      onFallback: (e) => {
        fallbacks.inc({ dependency: dep(e.dependency) });
      },
    },
    options.hooks,
  );
}

/**
 * Hooks for @arm/cache that keep `arm_cache_requests_total{cache,result,tier}` (hit, miss,
 * stale), `arm_cache_load_duration_seconds`, `arm_cache_evictions_total`,
 * `arm_cache_errors_total`, `arm_cache_lease_waits_total`, `arm_cache_bus_up` and
 * `arm_cache_bus_messages_total`.
 *
 * @param metrics - The metrics to write into.
 * @param options - The cache's name (the `cache` label) and your own hooks.
 * @returns Hooks to pass as `createCache({ hooks })`.
 * @example
 * ```ts
 * const cache = createCache({ hooks: instrumentCache(metrics, { name: 'products' }) });
 * ```
 */
export function instrumentCache(
  metrics: Metrics,
  options: InstrumentOptions<CacheMetricsHooks> = {},
): CacheMetricsHooks {
  const cache = internals(metrics).bounded('cache')(options.name ?? 'default');
  const requests = metrics.counter({
    name: 'arm_cache_requests_total',
    help: 'Cache reads, by result (hit, miss, stale) and tier.',
    labelNames: ['cache', 'result', 'tier'],
  });
  const loads = metrics.histogram({
    name: 'arm_cache_load_duration_seconds',
    help: 'Duration of cache loaders.',
    labelNames: ['cache'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  const evictions = metrics.counter({
    name: 'arm_cache_evictions_total',
    help: 'Entries dropped by the in-process tier, by reason.',
    labelNames: ['cache', 'reason'],
  });
  const errors = metrics.counter({
    name: 'arm_cache_errors_total',
    help: 'Non-fatal cache errors, by operation.',
    labelNames: ['cache', 'operation'],
  });
  const leases = metrics.counter({
    name: 'arm_cache_lease_waits_total',
    help: 'Waits on another instance filling a key.',
    labelNames: ['cache'],
  });
  const bus = metrics.gauge({
    name: 'arm_cache_bus_up',
    help: 'Whether the invalidation bus is connected (1) or not (0).',
    labelNames: ['cache'],
  });
  const messages = metrics.counter({
    name: 'arm_cache_bus_messages_total',
    help: 'Invalidations received from other instances, by kind.',
    labelNames: ['cache', 'kind'],
  });
  return chain<CacheMetricsHooks>(
    {
      hit: (e) => {
        requests.inc({ cache, result: 'hit', tier: e.tier });
      },
      miss: () => {
        requests.inc({ cache, result: 'miss', tier: 'none' });
      },
      staleServed: (e) => {
        requests.inc({ cache, result: 'stale', tier: e.reason });
      },
      loaded: (e) => {
        loads.observe({ cache }, e.durationMs / 1000);
      },
      leaseWait: () => {
        leases.inc({ cache });
      },
      evicted: (e) => {
        evictions.inc({ cache, reason: e.reason });
      },
      error: (e) => {
        errors.inc({ cache, operation: e.operation });
      },
      busUp: () => {
        bus.set({ cache }, 1);
      },
      busDown: () => {
        bus.set({ cache }, 0);
      },
      busMessage: (e) => {
        messages.inc({ cache, kind: e.kind });
      },
    },
    options.hooks,
  );
}

/**
 * Hooks for @arm/ratelimit that keep `arm_ratelimit_decisions_total{limiter,decision,source}`,
 * `arm_ratelimit_store_errors_total{limiter,mode}` and `arm_ratelimit_fallback_active{limiter}`.
 *
 * @param metrics - The metrics to write into.
 * @param options - The limiter's name (the `limiter` label) and your own hooks.
 * @returns Hooks to pass as `createRateLimiter({ hooks })`.
 * @example
 * ```ts
 * const limiter = createRateLimiter({ tier: 'api', hooks: instrumentRateLimit(metrics, { name: 'api' }) });
 * ```
 */
export function instrumentRateLimit(
  metrics: Metrics,
  options: InstrumentOptions<RateLimitMetricsHooks> = {},
): RateLimitMetricsHooks {
  const limiter = internals(metrics).bounded('limiter')(options.name ?? 'default');
  const decisions = metrics.counter({
    name: 'arm_ratelimit_decisions_total',
    help: 'Rate-limit decisions, by outcome and source.',
    labelNames: ['limiter', 'decision', 'source'],
  });
  const storeErrors = metrics.counter({
    name: 'arm_ratelimit_store_errors_total',
    help: 'Rate-limit store failures, by the failure mode applied.',
    labelNames: ['limiter', 'mode'],
  });
  const fallback = metrics.gauge({
    name: 'arm_ratelimit_fallback_active',
    help: 'Whether the limiter decides from its memory fallback (1) or its store (0).',
    labelNames: ['limiter'],
  });
  return chain<RateLimitMetricsHooks>(
    {
      decision: (e) => {
        decisions.inc({
          limiter,
          decision: e.result.allowed ? 'allowed' : 'denied',
          source: e.result.source,
        });
      },
      storeError: (e) => {
        storeErrors.inc({ limiter, mode: e.mode });
      },
      fallbackStart: () => {
        fallback.set({ limiter }, 1);
      },
      fallbackEnd: () => {
        fallback.set({ limiter }, 0);
      },
    },
    options.hooks,
  );
}

/**
 * Hooks for @arm/health that keep `arm_health_check_status{check,critical}` (0 pass, 1 warn,
 * 2 fail), `arm_health_check_duration_seconds{check}` and `arm_health_probe_status{probe}`.
 * The latest check results also feed `snapshot()` and the `health` alert rule.
 *
 * @param metrics - The metrics to write into.
 * @param options - Your own hooks to call as well.
 * @returns Hooks to pass as `createHealth({ hooks })`.
 * @example
 * ```ts
 * const health = createHealth({ checks, hooks: instrumentHealth(metrics) });
 * ```
 */
export function instrumentHealth(
  metrics: Metrics,
  options: InstrumentOptions<HealthMetricsHooks> = {},
): HealthMetricsHooks {
  const state = internals(metrics);
  const check = state.bounded('check');
  const status = metrics.gauge({
    name: 'arm_health_check_status',
    help: 'Latest health check status: 0 pass, 1 warn, 2 fail.',
    labelNames: ['check', 'critical'],
  });
  const duration = metrics.histogram({
    name: 'arm_health_check_duration_seconds',
    help: 'Duration of health checks.',
    labelNames: ['check'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  const probe = metrics.gauge({
    name: 'arm_health_probe_status',
    help: 'Latest probe status: 0 pass, 1 warn, 2 fail.',
    labelNames: ['probe'],
  });
  return chain<HealthMetricsHooks>(
    {
      onCheck: (e) => {
        const name = check(e.name);
        status.set(
          { check: name, critical: String(e.critical) },
          STATUS_VALUE[e.status as string] ?? 2,
        );
        duration.observe({ check: name }, Math.max(0, e.durationMs) / 1000);
        state.checks.set(name, {
          status: e.status,
          critical: e.critical,
          durationMs: e.durationMs,
        });
      },
      onStatusChange: (e) => {
        probe.set({ probe: e.probe }, STATUS_VALUE[e.to as string] ?? 2);
      },
    },
    options.hooks,
  );
}
