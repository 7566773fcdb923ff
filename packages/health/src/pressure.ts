/**
 * Load shedding: a sampler of event-loop delay and utilisation, heap and RSS (as
 * @fastify/under-pressure does), read in O(1) by `shouldShed()` on every request. Sampling runs
 * on an unref'd timer; nothing is measured per call.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { EventLoopUtilization, IntervalHistogram } from 'node:perf_hooks';
import { checkMs, emit, optionError } from './_internal';
import type { CheckResult } from './check';

/** Which threshold a sample exceeded. */
export type PressureReason = 'eventLoopDelay' | 'eventLoopUtilization' | 'heapUsed' | 'rss';

/**
 * The figures of one sample.
 *
 * @example
 * ```ts
 * const { eventLoopDelayMs, heapUsedBytes } = pressure.sample;
 * ```
 */
export interface PressureSample {
  /** Mean event-loop delay over the last interval, less the monitor's resolution (ms). */
  readonly eventLoopDelayMs: number;
  /** The longest event-loop delay seen in the last interval (ms). */
  readonly eventLoopDelayMaxMs: number;
  /** Share of the last interval the event loop was busy, 0 to 1. */
  readonly eventLoopUtilization: number;
  /** V8 heap in use (bytes). */
  readonly heapUsedBytes: number;
  /** Resident set size (bytes). */
  readonly rssBytes: number;
  /** The thresholds this sample exceeds; empty when the process is not overloaded. */
  readonly reasons: readonly PressureReason[];
  /** When the sample was taken (epoch ms). */
  readonly time: number;
}

/**
 * Hooks of a pressure monitor.
 *
 * @example
 * ```ts
 * const hooks: Partial<PressureHooks> = {
 *   onPressureChange: ({ overloaded, sample }) => logger.warn({ overloaded, reasons: sample.reasons }),
 * };
 * ```
 */
export interface PressureHooks {
  /** The process became overloaded, or recovered. */
  onPressureChange(event: { readonly overloaded: boolean; readonly sample: PressureSample }): void;
}

/**
 * Thresholds and sampling of {@link createPressure}. A threshold left unset is not checked.
 *
 * @example
 * ```ts
 * const options: PressureOptions = { maxEventLoopDelayMs: 200, maxHeapUsedBytes: 1.5 * 1024 ** 3 };
 * ```
 */
export interface PressureOptions {
  /**
   * Shed when the mean event-loop delay of a sample exceeds this (ms).
   * @defaultValue none
   */
  readonly maxEventLoopDelayMs?: number;
  /**
   * Shed when event-loop utilisation (0 to 1) exceeds this.
   * @defaultValue none
   */
  readonly maxEventLoopUtilization?: number;
  /**
   * Shed when the V8 heap in use exceeds this many bytes.
   * @defaultValue none
   */
  readonly maxHeapUsedBytes?: number;
  /**
   * Shed when the resident set size exceeds this many bytes.
   * @defaultValue none
   */
  readonly maxRssBytes?: number;
  /**
   * How often to sample (ms).
   * @defaultValue `1000`
   */
  readonly sampleIntervalMs?: number;
  /**
   * Resolution of the event-loop delay monitor (ms).
   * @defaultValue `10`
   */
  readonly resolutionMs?: number;
  /**
   * What adapters send as `Retry-After` (seconds) with a shed request's 503.
   * @defaultValue `10`
   */
  readonly retryAfterSeconds?: number;
  /**
   * Callbacks for pressure changes.
   * @defaultValue none
   */
  readonly hooks?: Partial<PressureHooks>;
}

/**
 * A pressure monitor: the latest sample and the shed decision it implies.
 *
 * @example
 * ```ts
 * if (pressure.shouldShed()) return reply(503, { 'retry-after': String(pressure.retryAfterSeconds) });
 * ```
 */
export interface Pressure {
  /**
   * Whether the latest sample exceeded a threshold. O(1): it reads the sample, it measures nothing.
   *
   * @returns `true` while the process is overloaded.
   */
  readonly shouldShed: () => boolean;
  /** The latest sample. */
  readonly sample: PressureSample;
  /** Seconds an adapter puts in `Retry-After` when it sheds. */
  readonly retryAfterSeconds: number;
  /**
   * Takes a sample now instead of waiting for the timer.
   *
   * @returns The new sample.
   */
  readonly sampleNow: () => PressureSample;
  /**
   * The latest sample as health+json `checks` entries, one per configured threshold.
   *
   * @returns Entries keyed `eventLoop:delay`, `eventLoop:utilization`, `memory:heapUsed`, `memory:rss`.
   */
  readonly results: () => Readonly<Record<string, CheckResult>>;
  /** Stops sampling. */
  readonly stop: () => void;
}

/**
 * Starts sampling the process's load, for load shedding. Pass it to `createHealth({ pressure })`
 * so readiness fails while overloaded, and ask `shouldShed()` per request in an adapter.
 *
 * @param options - Thresholds and sampling.
 * @returns The monitor; call `stop()` when done.
 * @throws ConfigurationError when a threshold or interval is not a positive number.
 * @example
 * ```ts
 * const pressure = createPressure({ maxEventLoopDelayMs: 200, maxHeapUsedBytes: 1.5 * 1024 ** 3 });
 * server.on('request', (request, response) => {
 *   if (pressure.shouldShed()) {
 *     response.writeHead(503, { 'retry-after': String(pressure.retryAfterSeconds) }).end();
 *   }
 * });
 * ```
 */
export function createPressure(options: PressureOptions = {}): Pressure {
  const maxDelay = checkMs('maxEventLoopDelayMs', options.maxEventLoopDelayMs, false);
  const maxHeap = positive('maxHeapUsedBytes', options.maxHeapUsedBytes);
  const maxRss = positive('maxRssBytes', options.maxRssBytes);
  const maxElu = options.maxEventLoopUtilization;
  if (maxElu !== undefined && !(typeof maxElu === 'number' && maxElu > 0 && maxElu <= 1)) {
    optionError('maxEventLoopUtilization', 'a number above 0 and at most 1', maxElu);
  }
  const intervalMs = checkMs('sampleIntervalMs', options.sampleIntervalMs, false) ?? 1000;
  const resolutionMs = checkMs('resolutionMs', options.resolutionMs, false) ?? 10;
  const retryAfterSeconds = positive('retryAfterSeconds', options.retryAfterSeconds) ?? 10;

  const histogram: IntervalHistogram = monitorEventLoopDelay({
    resolution: Math.max(1, Math.round(resolutionMs)),
  });
  histogram.enable();
  let elu: EventLoopUtilization = performance.eventLoopUtilization();
  let overloaded = false;
  // The first sample has no interval behind it: only its memory figures mean anything.
  let sample = take(true);

  function take(first = false): PressureSample {
    const mean = Number.isNaN(histogram.mean) ? 0 : histogram.mean / 1e6;
    const max = histogram.count === 0 ? 0 : histogram.max / 1e6;
    histogram.reset();
    const next = performance.eventLoopUtilization();
    const utilization = performance.eventLoopUtilization(next, elu).utilization;
    elu = next;
    const memory = process.memoryUsage();
    const figures = {
      eventLoopDelayMs: Math.max(0, mean - resolutionMs),
      eventLoopDelayMaxMs: max,
      eventLoopUtilization: first || Number.isNaN(utilization) ? 0 : utilization,
      heapUsedBytes: memory.heapUsed,
      rssBytes: memory.rss,
    };
    const reasons: PressureReason[] = [];
    if (maxDelay !== undefined && figures.eventLoopDelayMs > maxDelay)
      reasons.push('eventLoopDelay');
    if (maxElu !== undefined && figures.eventLoopUtilization > maxElu)
      reasons.push('eventLoopUtilization');
    if (maxHeap !== undefined && figures.heapUsedBytes > maxHeap) reasons.push('heapUsed');
    if (maxRss !== undefined && figures.rssBytes > maxRss) reasons.push('rss');
    return { ...figures, reasons, time: Date.now() };
  }

  function update(): PressureSample {
    sample = take();
    const now = sample.reasons.length > 0;
    if (now !== overloaded) {
      overloaded = now;
      emit<PressureHooks, 'onPressureChange'>(options.hooks, 'onPressureChange', {
        overloaded,
        sample,
      });
    }
    return sample;
  }
  overloaded = sample.reasons.length > 0;

  const timer = setInterval(update, intervalMs);
  timer.unref();

  function entry(
    observedValue: number,
    observedUnit: string,
    exceeded: boolean,
    limit: number,
  ): CheckResult {
    return {
      componentType: 'system',
      observedValue,
      observedUnit,
      status: exceeded ? 'fail' : 'pass',
      time: new Date(sample.time).toISOString(),
      ...(exceeded ? { output: `above the limit of ${String(limit)} ${observedUnit}` } : {}),
    };
  }

  return {
    shouldShed: () => overloaded,
    get sample() {
      return sample;
    },
    retryAfterSeconds,
    sampleNow: update,
    results() {
      const entries: Record<string, CheckResult> = {};
      const has = (reason: PressureReason): boolean => sample.reasons.includes(reason);
      if (maxDelay !== undefined) {
        entries['eventLoop:delay'] = entry(
          round(sample.eventLoopDelayMs),
          'ms',
          has('eventLoopDelay'),
          maxDelay,
        );
      }
      if (maxElu !== undefined) {
        entries['eventLoop:utilization'] = entry(
          round(sample.eventLoopUtilization),
          'ratio',
          has('eventLoopUtilization'),
          maxElu,
        );
      }
      if (maxHeap !== undefined) {
        entries['memory:heapUsed'] = entry(sample.heapUsedBytes, 'bytes', has('heapUsed'), maxHeap);
      }
      if (maxRss !== undefined) {
        entries['memory:rss'] = entry(sample.rssBytes, 'bytes', has('rss'), maxRss);
      }
      return entries;
    },
    stop() {
      clearInterval(timer);
      histogram.disable();
    },
  };
}

function positive(option: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    optionError(option, 'a positive finite number', value);
  }
  return value;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
