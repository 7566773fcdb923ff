/**
 * One check's runner: a timeout per run, a result cache, single flight for concurrent probes,
 * an optional background loop, and a guard that never calls a dependency again while its
 * previous call still hangs (a black-holed database must not collect one stuck query per probe).
 */
import { TimeoutError } from '@arm/errors';
import { checkMs, isObject, messageOf, optionError } from './_internal';
import type { CheckDefinition, CheckOutcome, ComponentType, HealthStatus, Probe } from './check';

/** The result of one run, kept until the next. */
export interface RunRecord {
  readonly status: HealthStatus;
  readonly observedValue: unknown;
  readonly observedUnit: string | undefined;
  readonly output: string | undefined;
  readonly finishedAt: number;
  readonly durationMs: number;
  readonly timedOut: boolean;
  readonly error: unknown;
}

/** What the runner reports after each run. */
export type RunListener = (runner: CheckRunner, record: RunRecord, previous?: RunRecord) => void;

/** A running check. */
export interface CheckRunner {
  readonly name: string;
  readonly key: string;
  readonly critical: boolean;
  readonly probes: readonly Probe[];
  readonly componentType: ComponentType;
  readonly componentId: string | undefined;
  /** A cached result, the shared in-flight run, or a fresh run. */
  get(): RunRecord | Promise<RunRecord>;
  /** The latest result, without running anything. */
  latest(): RunRecord | undefined;
  stop(): void;
}

const DEFAULT_TIMEOUT_MS = 2000;
const DEFAULT_CACHE_MS = 1000;
/** How many timeouts a hung call may last before the check calls its dependency again. */
const HUNG_CALL_TIMEOUTS = 10;
const PROBES: readonly Probe[] = ['live', 'ready', 'startup'];
const STATUSES: readonly HealthStatus[] = ['pass', 'warn', 'fail'];
const TIMEOUT = Symbol('timeout');

/** Checks a definition and starts its runner (and its background loop, if any). */
export function createRunner(
  name: string,
  definition: CheckDefinition,
  now: () => number,
  listener: RunListener,
): CheckRunner {
  const path = `checks.${name}`;
  const untyped: unknown = definition;
  if (!isObject(untyped) || typeof untyped.check !== 'function') {
    optionError(`${path}.check`, 'a function', isObject(untyped) ? untyped.check : untyped);
  }
  const timeoutMs = checkMs(`${path}.timeoutMs`, definition.timeoutMs, false) ?? DEFAULT_TIMEOUT_MS;
  const intervalMs = checkMs(`${path}.intervalMs`, definition.intervalMs, false);
  const cacheMs =
    checkMs(`${path}.cacheMs`, definition.cacheMs, true) ??
    (intervalMs === undefined ? DEFAULT_CACHE_MS : intervalMs + timeoutMs);
  const probes = definition.probes ?? ['ready', 'startup'];
  const list: unknown = probes;
  if (!Array.isArray(list) || list.some((probe) => !PROBES.includes(probe as Probe))) {
    optionError(`${path}.probes`, 'an array of "live", "ready" and "startup"', probes);
  }
  const measurement = definition.measurement ?? 'responseTime';

  let last: RunRecord | undefined;
  let inflight: Promise<RunRecord> | undefined;
  let hungSince: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  async function execute(): Promise<RunRecord> {
    const started = now();
    if (hungSince !== undefined && started - hungSince < timeoutMs * HUNG_CALL_TIMEOUTS) {
      return record(started, started, {
        status: 'fail',
        output: `previous call still pending after ${String(started - hungSince)} ms; not called again`,
        timedOut: true,
      });
    }
    const controller = new AbortController();
    let timeoutTimer: ReturnType<typeof setTimeout> | undefined;
    const call = (async () => definition.check({ signal: controller.signal }))();
    hungSince = started;
    const settled = (): void => {
      if (hungSince === started) hungSince = undefined;
    };
    call.then(settled, settled);
    const timeout = new Promise<typeof TIMEOUT>((resolve) => {
      timeoutTimer = setTimeout(resolve, timeoutMs, TIMEOUT);
    });
    try {
      const outcome = await Promise.race([call, timeout]);
      const finished = now();
      if (outcome === TIMEOUT) {
        const error = new TimeoutError(
          `[@arm/health] check "${name}" timed out after ${String(timeoutMs)} ms`,
        );
        controller.abort(error);
        return record(started, finished, {
          status: 'fail',
          output: `timed out after ${String(timeoutMs)} ms`,
          timedOut: true,
          error,
        });
      }
      return fromOutcome(started, finished, outcome ?? undefined);
    } catch (error) {
      return record(started, now(), { status: 'fail', output: messageOf(error), error });
    } finally {
      clearTimeout(timeoutTimer);
    }
  }

  function fromOutcome(
    started: number,
    finished: number,
    outcome: CheckOutcome | undefined,
  ): RunRecord {
    const status = outcome?.status ?? 'pass';
    if (!STATUSES.includes(status)) {
      return record(started, finished, {
        status: 'fail',
        output: `check answered an unknown status ${JSON.stringify(status)}`,
      });
    }
    const own = outcome?.observedValue !== undefined;
    return record(started, finished, {
      status,
      observedValue: own ? outcome.observedValue : finished - started,
      observedUnit: own ? outcome.observedUnit : 'ms',
      output: outcome?.output,
    });
  }

  function record(
    started: number,
    finished: number,
    fields: {
      status: HealthStatus;
      observedValue?: unknown;
      observedUnit?: string | undefined;
      output?: string | undefined;
      timedOut?: boolean;
      error?: unknown;
    },
  ): RunRecord {
    return {
      status: fields.status,
      observedValue: 'observedValue' in fields ? fields.observedValue : finished - started,
      observedUnit: 'observedValue' in fields ? fields.observedUnit : 'ms',
      output: fields.output,
      finishedAt: finished,
      durationMs: finished - started,
      timedOut: fields.timedOut ?? false,
      error: fields.error,
    };
  }

  function refresh(): Promise<RunRecord> {
    inflight ??= execute().then((result) => {
      const previous = last;
      last = result;
      inflight = undefined;
      listener(runner, result, previous);
      return result;
    });
    return inflight;
  }

  function loop(): void {
    void refresh().then(() => {
      if (stopped || intervalMs === undefined) return;
      timer = setTimeout(loop, intervalMs);
      timer.unref();
    });
  }

  const runner: CheckRunner = {
    name,
    key: `${name}:${measurement}`,
    critical: definition.critical ?? true,
    probes,
    componentType: definition.componentType ?? 'component',
    componentId: definition.componentId,
    get() {
      if (last !== undefined && now() - last.finishedAt < cacheMs) return last;
      return refresh();
    },
    latest: () => last,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
  if (intervalMs !== undefined) loop();
  return runner;
}
