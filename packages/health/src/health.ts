/**
 * The health object: named checks run through cached, single-flight runners and projected onto
 * the three Kubernetes probes as `application/health+json` (IETF draft-inadarei-api-health-check)
 * with the HTTP status to send.
 */
import { ServiceUnavailableError, toHttpResponse } from '@arm/errors';
import type { HttpErrorResponse } from '@arm/errors';
import { emit, isObject, optionError } from './_internal';
import { createRunner } from './_runner';
import type { CheckRunner, RunRecord } from './_runner';
import type { CheckDefinition, CheckResult, HealthStatus, Probe } from './check';
import type { Pressure } from './pressure';

/** The media type of every health response. */
export const HEALTH_CONTENT_TYPE = 'application/health+json';

/**
 * Who may see the `output` of checks (error messages, host names): nobody, everybody, or only
 * callers the adapter says are authorised (`ready({ authorized: true })`).
 */
export type ShowOutput = 'always' | 'never' | 'when-authorized';

/**
 * The body of a health response (IETF draft, section 3).
 *
 * @example
 * ```ts
 * const body: HealthBody = { status: 'pass', checks: {} };
 * ```
 */
export interface HealthBody {
  /** `pass`, `warn` or `fail`. */
  readonly status: HealthStatus;
  /** The service's version, when configured. */
  readonly version?: string;
  /** The release id, when configured. */
  readonly releaseId?: string;
  /** The service id, when configured. */
  readonly serviceId?: string;
  /** The service's description, when configured. */
  readonly description?: string;
  /** Why the whole probe fails: `shutting down` or `overloaded`. */
  readonly output?: string;
  /** Results keyed `component:measurement`, each an array of one entry. */
  readonly checks: Readonly<Record<string, readonly CheckResult[]>>;
}

/**
 * What a probe answers: copy `httpStatus`, `headers` and `JSON.stringify(body)` onto the response.
 *
 * @example
 * ```ts
 * const { httpStatus, headers, body } = await health.ready();
 * response.writeHead(httpStatus, headers).end(JSON.stringify(body));
 * ```
 */
export interface HealthResponse {
  /** The overall status. */
  readonly status: HealthStatus;
  /** 200 for `pass` and `warn`, 503 for `fail`. */
  readonly httpStatus: 200 | 503;
  /** `content-type: application/health+json` and `cache-control: no-store`. */
  readonly headers: Readonly<Record<string, string>>;
  /** The health+json document. */
  readonly body: HealthBody;
}

/**
 * What a caller of a probe says about itself.
 *
 * @example
 * ```ts
 * await health.ready({ authorized: request.headers['x-admin-token'] === adminToken });
 * ```
 */
export interface ProbeOptions {
  /**
   * Whether the caller may see check output when `showOutput` is `'when-authorized'`.
   * @defaultValue `false`
   */
  readonly authorized?: boolean;
}

/** An event of {@link HealthHooks.onCheck}. */
export interface CheckEvent {
  /** The check's name, as given in `checks`. */
  readonly name: string;
  /** Its key in the response, `name:measurement`. */
  readonly key: string;
  /** This run's status (before criticality). */
  readonly status: HealthStatus;
  /** The previous run's status, if there was one. */
  readonly previousStatus: HealthStatus | undefined;
  /** Whether the check gates readiness. */
  readonly critical: boolean;
  /** How long the run took (ms). */
  readonly durationMs: number;
  /** Whether it ran out of time (or its previous call still hangs). */
  readonly timedOut: boolean;
  /** What it threw, if anything. */
  readonly error?: unknown;
}

/**
 * Synchronous callbacks for what the health object sees; @arm/metrics instruments them. One that
 * throws is ignored.
 *
 * @example
 * ```ts
 * const hooks: Partial<HealthHooks> = {
 *   onCheck: ({ name, status, durationMs }) => console.log(name, status, durationMs),
 *   onStatusChange: ({ probe, from, to }) => console.log(probe, from, '->', to),
 * };
 * ```
 */
export interface HealthHooks {
  /** A check ran (cache hits and shared runs are not runs). */
  onCheck(event: CheckEvent): void;
  /** A probe's overall status differs from its previous answer. */
  onStatusChange(event: {
    readonly probe: Probe;
    readonly from: HealthStatus | undefined;
    readonly to: HealthStatus;
  }): void;
}

/**
 * Options of {@link createHealth}.
 *
 * @example
 * ```ts
 * const options: HealthOptions = {
 *   checks: { redis: redisCheck(redis), search: httpCheck('http://search:9200/', { critical: false }) },
 *   version: '1.4.2',
 * };
 * ```
 */
export interface HealthOptions {
  /**
   * Named checks; the name becomes the `component` part of the response key.
   * @defaultValue none
   */
  readonly checks?: Readonly<Record<string, CheckDefinition>>;
  /**
   * A pressure monitor from `createPressure`: readiness fails while it is overloaded, and
   * `shouldShed()` reads it.
   * @defaultValue none
   */
  readonly pressure?: Pressure;
  /**
   * Who sees check `output`.
   * @defaultValue `'when-authorized'`
   */
  readonly showOutput?: ShowOutput;
  /**
   * `version` in the body.
   * @defaultValue none
   */
  readonly version?: string;
  /**
   * `releaseId` in the body.
   * @defaultValue none
   */
  readonly releaseId?: string;
  /**
   * `serviceId` in the body.
   * @defaultValue none
   */
  readonly serviceId?: string;
  /**
   * `description` in the body.
   * @defaultValue none
   */
  readonly description?: string;
  /**
   * The clock, epoch milliseconds.
   * @defaultValue `Date.now`
   */
  readonly now?: () => number;
  /**
   * Callbacks for check runs and status changes.
   * @defaultValue none
   */
  readonly hooks?: Partial<HealthHooks>;
}

/**
 * A health object: the three probes, the shed decision, and the shutdown switch.
 *
 * @example
 * ```ts
 * const { httpStatus, headers, body } = await health.ready();
 * ```
 */
export interface Health {
  /**
   * Liveness: the process itself (its uptime, and checks that opt into `live`). Never runs
   * dependency checks by default.
   *
   * @param options - Who asks.
   * @returns The response to send.
   */
  readonly live: (options?: ProbeOptions) => Promise<HealthResponse>;
  /**
   * Readiness: every check of the `ready` probe (critical failures `fail`, others `warn`), the
   * pressure monitor, and `fail` at once after `beginShutdown()`.
   *
   * @param options - Who asks.
   * @returns The response to send.
   */
  readonly ready: (options?: ProbeOptions) => Promise<HealthResponse>;
  /**
   * Startup: the checks of the `startup` probe until they first pass; `pass` from then on
   * without running them again.
   *
   * @param options - Who asks.
   * @returns The response to send.
   */
  readonly startup: (options?: ProbeOptions) => Promise<HealthResponse>;
  /**
   * Whether an adapter should refuse the request with 503 because the process is overloaded.
   * O(1): reads the pressure monitor's latest sample; `false` without one.
   *
   * @returns `true` while overloaded.
   */
  readonly shouldShed: () => boolean;
  /**
   * The response for a shed request, built once: 503, `Retry-After` (the pressure monitor's
   * `retryAfterSeconds`, 10 without one) and an `application/problem+json` body with code
   * `SERVICE_UNAVAILABLE`. Adapters copy it when `shouldShed()` says so.
   */
  readonly shedResponse: HttpErrorResponse;
  /** Makes readiness fail from now on; graceful shutdown calls it first. */
  readonly beginShutdown: () => void;
  /** Whether `beginShutdown()` was called. */
  readonly shuttingDown: boolean;
  /** Whether the startup probe has passed. */
  readonly started: boolean;
  /** Stops background checks and the pressure monitor. */
  readonly stop: () => void;
}

const HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': HEALTH_CONTENT_TYPE,
  'cache-control': 'no-cache, no-store',
});
const SHOW_OUTPUT: readonly ShowOutput[] = ['always', 'never', 'when-authorized'];

/**
 * Creates the health object of a service.
 *
 * @param options - Checks, pressure monitor, output visibility, service fields, hooks.
 * @returns The health object; `stop()` it when the service is done.
 * @throws ConfigurationError when an option or a check's setting is invalid.
 * @example
 * ```ts
 * const health = createHealth({
 *   checks: {
 *     redis: redisCheck(redis),
 *     postgres: postgresCheck(pool, { intervalMs: 5_000 }),
 *     search: httpCheck('http://search.internal:9200/_cluster/health', { critical: false }),
 *   },
 *   pressure: createPressure({ maxEventLoopDelayMs: 200 }),
 * });
 * const { httpStatus, headers, body } = await health.ready();
 * ```
 */
export function createHealth(options: HealthOptions = {}): Health {
  const showOutput = options.showOutput ?? 'when-authorized';
  if (!SHOW_OUTPUT.includes(showOutput)) {
    optionError('showOutput', '"always", "never" or "when-authorized"', showOutput);
  }
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') optionError('now', 'a function returning epoch milliseconds', now);
  const checks = options.checks ?? {};
  const untypedChecks: unknown = checks;
  if (!isObject(untypedChecks)) {
    optionError('checks', 'an object of named checks', checks);
  }
  const hooks = options.hooks;
  const pressure = options.pressure;

  const shedResponse = toHttpResponse(
    new ServiceUnavailableError('The server is overloaded; retry later.', {
      retryAfterMs: (pressure?.retryAfterSeconds ?? 10) * 1000,
    }),
    { production: true },
  );

  const runners: CheckRunner[] = [];
  const onRun = (runner: CheckRunner, record: RunRecord, previous?: RunRecord): void => {
    emit<HealthHooks, 'onCheck'>(hooks, 'onCheck', {
      name: runner.name,
      key: runner.key,
      status: record.status,
      previousStatus: previous?.status,
      critical: runner.critical,
      durationMs: record.durationMs,
      timedOut: record.timedOut,
      ...(record.error === undefined ? {} : { error: record.error }),
    });
  };
  try {
    for (const [name, definition] of Object.entries(checks)) {
      runners.push(createRunner(name, definition, now, onRun));
    }
  } catch (error) {
    for (const runner of runners) runner.stop();
    throw error;
  }
  const byProbe: Record<Probe, CheckRunner[]> = {
    live: runners.filter((runner) => runner.probes.includes('live')),
    ready: runners.filter((runner) => runner.probes.includes('ready')),
    startup: runners.filter((runner) => runner.probes.includes('startup')),
  };

  let shuttingDown = false;
  let started = false;
  const lastStatus: Partial<Record<Probe, HealthStatus>> = {};

  function entry(runner: CheckRunner, record: RunRecord, show: boolean): CheckResult {
    return {
      ...(runner.componentId === undefined ? {} : { componentId: runner.componentId }),
      componentType: runner.componentType,
      ...(record.observedValue === undefined ? {} : { observedValue: record.observedValue }),
      ...(record.observedUnit === undefined ? {} : { observedUnit: record.observedUnit }),
      status: record.status,
      time: new Date(record.finishedAt).toISOString(),
      ...(show && record.output !== undefined ? { output: record.output } : {}),
    };
  }

  function respond(
    probe: Probe,
    status: HealthStatus,
    checks: Record<string, CheckResult[]>,
    output?: string,
  ): HealthResponse {
    const previous = lastStatus[probe];
    if (previous !== status) {
      lastStatus[probe] = status;
      emit<HealthHooks, 'onStatusChange'>(hooks, 'onStatusChange', {
        probe,
        from: previous,
        to: status,
      });
    }
    const body: HealthBody = {
      status,
      ...(options.version === undefined ? {} : { version: options.version }),
      ...(options.releaseId === undefined ? {} : { releaseId: options.releaseId }),
      ...(options.serviceId === undefined ? {} : { serviceId: options.serviceId }),
      ...(options.description === undefined ? {} : { description: options.description }),
      ...(output === undefined ? {} : { output }),
      checks,
    };
    return { status, httpStatus: status === 'fail' ? 503 : 200, headers: HEADERS, body };
  }

  async function evaluate(
    probe: Probe,
    probeOptions: ProbeOptions | undefined,
    run: boolean,
    extra?: Record<string, CheckResult[]>,
  ): Promise<{ status: HealthStatus; checks: Record<string, CheckResult[]> }> {
    const show =
      showOutput === 'always' ||
      (showOutput === 'when-authorized' && probeOptions?.authorized === true);
    const selected = byProbe[probe];
    const records: (RunRecord | undefined)[] = run
      ? await Promise.all(selected.map(async (runner) => runner.get()))
      : selected.map((runner) => runner.latest());
    let status: HealthStatus = 'pass';
    const checks: Record<string, CheckResult[]> = { ...extra };
    selected.forEach((runner, index) => {
      const record = records[index];
      if (record === undefined) return;
      checks[runner.key] = [entry(runner, record, show)];
      const effective = record.status === 'fail' && !runner.critical ? 'warn' : record.status;
      if (effective === 'fail') status = 'fail';
      else if (effective === 'warn' && status === 'pass') status = 'warn';
    });
    for (const results of Object.values(extra ?? {})) {
      for (const result of results) if (result.status === 'fail') status = 'fail';
    }
    if (!show) {
      for (const [key, results] of Object.entries(checks)) {
        checks[key] = results.map(({ output: _hidden, ...rest }) => rest);
      }
    }
    return { status, checks };
  }

  return {
    async live(probeOptions) {
      const uptime: CheckResult = {
        componentType: 'system',
        observedValue: Math.round(process.uptime() * 1000) / 1000,
        observedUnit: 's',
        status: 'pass',
        time: new Date(now()).toISOString(),
      };
      const { status, checks } = await evaluate('live', probeOptions, true, { uptime: [uptime] });
      return respond('live', status, checks);
    },
    async ready(probeOptions) {
      // Figures and verdict from the same sample, read before any await.
      const overloaded = pressure?.shouldShed() === true;
      const pressureChecks: Record<string, CheckResult[]> = {};
      for (const [key, result] of Object.entries(pressure?.results() ?? {}))
        pressureChecks[key] = [result];
      if (shuttingDown) {
        const { checks } = await evaluate('ready', probeOptions, false, pressureChecks);
        return respond('ready', 'fail', checks, 'shutting down');
      }
      const { status, checks } = await evaluate('ready', probeOptions, true, pressureChecks);
      return respond('ready', status, checks, overloaded ? 'overloaded' : undefined);
    },
    async startup(probeOptions) {
      if (started) {
        const { checks } = await evaluate('startup', probeOptions, false);
        return respond('startup', 'pass', checks);
      }
      const { status, checks } = await evaluate('startup', probeOptions, true);
      if (status !== 'fail') started = true;
      return respond('startup', status, checks);
    },
    // The monitor's own closure: one call, one variable read.
    shouldShed: pressure === undefined ? () => false : pressure.shouldShed,
    shedResponse,
    beginShutdown() {
      shuttingDown = true;
    },
    get shuttingDown() {
      return shuttingDown;
    },
    get started() {
      return started;
    },
    stop() {
      for (const runner of runners) runner.stop();
      pressure?.stop();
    },
  };
}
