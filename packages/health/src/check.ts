/**
 * What a health check is: a function that answers pass, warn or fail (or throws), and the
 * settings that say how often it may run, how long it may take and whether it gates readiness.
 */

/** A status in the IETF health-check response format: `pass`, `warn` or `fail`. */
export type HealthStatus = 'pass' | 'warn' | 'fail';

/** The three Kubernetes probes. */
export type Probe = 'live' | 'ready' | 'startup';

/**
 * The kind of component a check looks at, as the IETF draft names them; any other string is
 * allowed too.
 */
export type ComponentType = 'component' | 'datastore' | 'system' | (string & {});

/**
 * What a check function may answer. Returning nothing means `pass`; throwing means `fail` with
 * the error's message as `output`.
 *
 * @example
 * ```ts
 * const outcome: CheckOutcome = { status: 'warn', observedValue: 91, observedUnit: '%', output: 'disk almost full' };
 * ```
 */
export interface CheckOutcome {
  /**
   * The check's status.
   * @defaultValue `'pass'`
   */
  readonly status?: HealthStatus;
  /**
   * What the check measured.
   * @defaultValue the check's duration in milliseconds
   */
  readonly observedValue?: unknown;
  /**
   * The unit of `observedValue`.
   * @defaultValue `'ms'` when `observedValue` is the duration, none otherwise
   */
  readonly observedUnit?: string;
  /**
   * Why the check warns or fails. Shown only to callers allowed to see output.
   * @defaultValue none
   */
  readonly output?: string;
}

/** What a check function receives. */
export interface CheckContext {
  /** Aborted when the check runs out of time; hand it to the client call if it accepts one. */
  readonly signal: AbortSignal;
}

/**
 * A check: resolves (pass, or the outcome it returns) or rejects (fail).
 *
 * @param context - The abort signal of this run.
 * @returns Nothing (pass) or an outcome.
 * @example
 * ```ts
 * const diskCheck: CheckFunction = async () => ({ observedValue: 42, observedUnit: '%' });
 * ```
 */
export type CheckFunction = (
  context: CheckContext,
  // `void` lets `async () => { await client.ping(); }` be a check.
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type
) => CheckOutcome | undefined | void | PromiseLike<CheckOutcome | undefined | void>;

/**
 * How a check runs and where it counts. Every built-in check accepts these too.
 *
 * @example
 * ```ts
 * const settings: CheckSettings = { critical: false, timeoutMs: 500, intervalMs: 10_000 };
 * ```
 */
export interface CheckSettings {
  /**
   * A critical check that fails makes readiness `fail` (HTTP 503); a non-critical one only
   * makes it `warn` (HTTP 200).
   * @defaultValue `true`
   */
  readonly critical?: boolean;
  /**
   * How long one run may take before it counts as failed; its signal is aborted then.
   * @defaultValue `2000`
   */
  readonly timeoutMs?: number;
  /**
   * How long a result is reused before a probe runs the check again. Concurrent probes always
   * share one run, so a probe storm costs the dependency one call per `cacheMs`.
   * @defaultValue `1000`, or `intervalMs + timeoutMs` when `intervalMs` is set
   */
  readonly cacheMs?: number;
  /**
   * Run the check in the background every `intervalMs` (after each run ends), so probes only
   * read its latest result. Unset: the check runs when a probe needs a fresh result.
   * @defaultValue none (on demand)
   */
  readonly intervalMs?: number;
  /**
   * The probes the check counts in. Liveness should stay free of dependencies: a failing
   * liveness probe restarts the container, which never fixes a database.
   * @defaultValue `['ready', 'startup']`
   */
  readonly probes?: readonly Probe[];
  /**
   * `componentId` in the response, e.g. a host name or a database name.
   * @defaultValue none
   */
  readonly componentId?: string;
  /**
   * `componentType` in the response.
   * @defaultValue `'component'` (`'datastore'` for the Redis and PostgreSQL checks)
   */
  readonly componentType?: ComponentType;
  /**
   * The measurement part of the response key `<name>:<measurement>`.
   * @defaultValue `'responseTime'`
   */
  readonly measurement?: string;
}

/**
 * A named check's full definition: the function and its settings.
 *
 * @example
 * ```ts
 * const queue: CheckDefinition = {
 *   check: async () => ({ observedValue: await queueDepth(), observedUnit: 'jobs' }),
 *   critical: false,
 *   measurement: 'depth',
 * };
 * ```
 */
export interface CheckDefinition extends CheckSettings {
  /** The check itself. */
  readonly check: CheckFunction;
}

/**
 * One entry of the `checks` object of a health+json body (IETF draft, section 4).
 */
export interface CheckResult {
  /** The component's id, when the check names one. */
  readonly componentId?: string;
  /** The kind of component. */
  readonly componentType: ComponentType;
  /** What was measured; the duration in milliseconds unless the check reports its own value. */
  readonly observedValue?: unknown;
  /** The unit of `observedValue`. */
  readonly observedUnit?: string;
  /** This component's status, before criticality is applied to the overall status. */
  readonly status: HealthStatus;
  /** When the result was taken (ISO 8601); an older time means a cached result. */
  readonly time: string;
  /** Why it warns or fails; only for callers allowed to see output. */
  readonly output?: string;
}
