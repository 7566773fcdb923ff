/**
 * The circuit breaker, on opossum. opossum keeps the rolling window, the volume threshold, the
 * open -> half-open timer and the single half-open trial; ARM changes what counts:
 *
 * - Only calls with an outcome are counted. opossum counts a "fire" when a call starts and
 *   its error rate is failures / fires; ARM removes that listener and counts the fire when the
 *   outcome is known, so a client error (a 4xx) is neither a failure nor a success and does not
 *   dilute the rate. (opossum's `errorFilter` would count it as a success: opossum#564.)
 * - A call that succeeds slower than `slowCallMs` counts as a failure, and the caller still
 *   gets its result.
 * - An open circuit rejects with `CircuitOpenError` (503, retryable) whose `retryAfterMs` is the
 *   time until the half-open trial, so a retry policy waits for it instead of hammering.
 * - opossum's own timeout is off: timeouts are the job of `createTimeout`, which aborts the work.
 */
import { CircuitOpenError } from '@arm/errors';
import OpossumBreaker from 'opossum';
import { isCircuitFailure } from './classify';
import type { CircuitBreakerHooks } from './hooks';
import type { ExecuteOptions, Policy, PolicyContext, Task } from './policy';
import { callHook, functionOption, numberOption, systemClock, contextOf } from './_internal';
import { rotationClock } from './_rotation';

/** The state of a circuit breaker. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** Options of {@link createCircuitBreaker}. */
export interface CircuitBreakerOptions {
  /**
   * The dependency this breaker protects; labels hook events and errors.
   * @defaultValue `'default'`
   */
  readonly name?: string;
  /**
   * The failure rate, in percent of counted calls in the window, above which the circuit opens.
   * @defaultValue `50`
   */
  readonly failureRateThreshold?: number;
  /**
   * The fewest counted calls in the window before the circuit may open, so one failure at low
   * traffic does not open it.
   * @defaultValue `10`
   */
  readonly volumeThreshold?: number;
  /**
   * The rolling window over which the failure rate is measured, in milliseconds.
   * @defaultValue `10_000`
   */
  readonly windowMs?: number;
  /**
   * How many buckets the window is kept in; counts expire one bucket at a time.
   * @defaultValue `10`
   */
  readonly windowBuckets?: number;
  /**
   * How long the circuit stays open before it lets one trial call through, in milliseconds.
   * @defaultValue `30_000`
   */
  readonly resetTimeoutMs?: number;
  /**
   * A successful call slower than this, in milliseconds, counts as a failure (the caller still
   * gets its result). Unset: duration does not matter.
   * @defaultValue `undefined`
   */
  readonly slowCallMs?: number | undefined;
  /**
   * Decides whether an error counts against the dependency; other errors count as nothing.
   * @defaultValue {@link isCircuitFailure}: everything but 4xx client errors
   */
  readonly isFailure?: (error: unknown) => boolean;
  /**
   * The clock, in milliseconds, for slow calls and `Retry-After`.
   * @defaultValue `Date.now`
   */
  readonly now?: () => number;
  /** Metrics hooks: state changes, rejected calls, slow calls. */
  readonly hooks?: Partial<CircuitBreakerHooks>;
}

/** Counts of the breaker's rolling window. */
export interface CircuitBreakerStats {
  /** Calls counted (successes plus failures; client errors and rejected calls are not). */
  readonly calls: number;
  /** Calls that counted as failures, slow calls included. */
  readonly failures: number;
  /** Calls refused while the circuit was open. */
  readonly rejected: number;
}

/** A circuit breaker: a policy that refuses calls while its dependency fails. */
export interface CircuitBreaker extends Policy {
  /** The dependency this breaker protects. */
  readonly name: string;
  /** The current state. */
  readonly state: CircuitState;
  /** Counts of the rolling window. */
  stats(): CircuitBreakerStats;
  /** Opens the circuit by hand (isolate a dependency); it half-opens after `resetTimeoutMs`. */
  open(): void;
  /** Closes the circuit by hand. */
  close(): void;
  /**
   * Stops the breaker's timers; later calls are rejected and `state` reads `'open'`. Call it
   * when the dependency goes away.
   */
  shutdown(): void;
}

/** A circuit breaker built around one function: `fire(...args)` calls it through the breaker. */
export interface BoundCircuitBreaker<A extends unknown[], R> extends CircuitBreaker {
  /**
   * Calls the function through the breaker.
   *
   * @param args - The function's arguments.
   * @returns What the function resolves with.
   */
  fire(...args: A): Promise<R>;
}

/** Carries a slow call's value through opossum, which must see a failure. */
class SlowSuccess extends Error {
  constructor(readonly value: unknown) {
    super('slow call');
  }
}

/** Carries a client error through opossum, which must count nothing for it. */
class Uncounted extends Error {
  constructor(readonly error: unknown) {
    super('uncounted outcome');
  }
}

interface OpossumStatus {
  increment(property: 'fires' | 'successes', latencyMs?: number): void;
}

type Action = (task: Task<unknown>, context: PolicyContext) => Promise<unknown>;

/**
 * Creates a circuit breaker.
 *
 * @remarks
 * Closed, it counts the outcome of each call in a rolling window; once the window holds at
 * least `volumeThreshold` counted calls and more than `failureRateThreshold` percent of them
 * failed, it opens. Open, it rejects calls with `CircuitOpenError` for `resetTimeoutMs`, then
 * half-opens: one trial call goes through (others are rejected); its success closes the circuit,
 * its failure opens it again. Client errors (4xx) count neither way; in half-open such an answer
 * shows the dependency responds, so it closes the circuit.
 *
 * @param options - See {@link CircuitBreakerOptions}.
 * @returns A breaker to `execute` work with, or to put in a {@link pipeline}.
 * @throws ConfigurationError when an option is out of range.
 * @example
 * ```ts
 * const breaker = createCircuitBreaker({ name: 'payments', volumeThreshold: 20, resetTimeoutMs: 10_000 });
 * const charge = await breaker.execute(({ signal }) => payments.charge(order, { signal }));
 * ```
 */
export function createCircuitBreaker(options?: CircuitBreakerOptions): CircuitBreaker;
/**
 * Creates a circuit breaker around one function.
 *
 * @param fn - The function to protect.
 * @param options - See {@link CircuitBreakerOptions}.
 * @returns A breaker whose `fire(...args)` calls `fn` through it.
 * @throws ConfigurationError when an option is out of range.
 * @example
 * ```ts
 * const getUser = createCircuitBreaker((id: string) => users.get(id), { name: 'users' });
 * const user = await getUser.fire('42');
 * ```
 */
export function createCircuitBreaker<A extends unknown[], R>(
  fn: (...args: A) => R | PromiseLike<R>,
  options?: CircuitBreakerOptions,
): BoundCircuitBreaker<A, Awaited<R>>;
export function createCircuitBreaker<A extends unknown[], R>(
  fnOrOptions?: ((...args: A) => R | PromiseLike<R>) | CircuitBreakerOptions,
  maybeOptions?: CircuitBreakerOptions,
): CircuitBreaker | BoundCircuitBreaker<A, Awaited<R>> {
  const fn = typeof fnOrOptions === 'function' ? fnOrOptions : undefined;
  const options = (typeof fnOrOptions === 'function' ? maybeOptions : fnOrOptions) ?? {};
  const breaker = makeBreaker(options);
  if (fn === undefined) return breaker;
  return Object.assign(breaker, {
    fire: (...args: A) => breaker.execute(() => fn(...args)) as Promise<Awaited<R>>,
  });
}

function makeBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  const name = options.name ?? 'default';
  const failureRateThreshold = numberOption(
    'failureRateThreshold',
    options.failureRateThreshold,
    50,
    { max: 100, rule: 'a percentage from 0 to 100' },
  );
  const volumeThreshold = numberOption('volumeThreshold', options.volumeThreshold, 10, {
    integer: true,
    max: Number.MAX_SAFE_INTEGER,
    rule: 'a non-negative integer number of calls',
  });
  const windowMs = numberOption('windowMs', options.windowMs, 10_000, {
    min: 1,
    max: 2 ** 31 - 1,
    rule: 'a number of milliseconds from 1 to 2147483647',
  });
  const windowBuckets = numberOption('windowBuckets', options.windowBuckets, 10, {
    min: 1,
    integer: true,
    max: Math.max(1, windowMs),
    rule: 'an integer from 1 to windowMs',
  });
  const resetTimeoutMs = numberOption('resetTimeoutMs', options.resetTimeoutMs, 30_000, {
    min: 1,
    max: 2 ** 31 - 1,
    rule: 'a number of milliseconds from 1 to 2147483647',
  });
  const slowCallMs = numberOption('slowCallMs', options.slowCallMs, Infinity, {
    min: 0,
    exclusive: true,
    rule: 'a positive number of milliseconds',
  });
  const isFailure = functionOption('isFailure', options.isFailure) ?? isCircuitFailure;
  const now = functionOption('now', options.now) ?? systemClock;
  const hooks = options.hooks ?? {};

  const action: Action = async (task, context) => {
    const started = now();
    let value: unknown;
    try {
      value = await task(context);
    } catch (error) {
      if (!isFailure(error)) throw new Uncounted(error);
      status.increment('fires');
      throw error;
    }
    status.increment('fires');
    const durationMs = now() - started;
    if (durationMs >= slowCallMs) {
      callHook(hooks.onSlowCall, { dependency: name, durationMs });
      throw new SlowSuccess(value);
    }
    return value;
  };

  const bucketMs = Math.floor(windowMs / windowBuckets);
  const opossum = new OpossumBreaker(action, {
    name,
    timeout: false,
    resetTimeout: resetTimeoutMs,
    errorThresholdPercentage: failureRateThreshold,
    volumeThreshold,
    rollingCountTimeout: windowMs,
    rollingCountBuckets: windowBuckets,
    rollingPercentilesEnabled: false,
    enableSnapshots: false,
    rotateBucketController: rotationClock(bucketMs) as never,
    errorFilter: isUncounted,
  });
  const status = opossum.status as unknown as OpossumStatus;
  // Fires are counted when the outcome is known (see the file comment), and an uncounted
  // outcome reaches opossum as a filtered error, which it would count as a success.
  opossum.removeAllListeners('fire');
  opossum.removeAllListeners('success');
  opossum.on('success', (result: unknown, latencyMs: number) => {
    if (!(result instanceof Uncounted)) status.increment('successes', latencyMs);
    if (opossum.halfOpen) opossum.close();
  });

  // A shut-down breaker refuses every call: it reads as open.
  const current = (): CircuitState =>
    opossum.opened || opossum.isShutdown ? 'open' : opossum.halfOpen ? 'half-open' : 'closed';
  let openedAt = 0;
  opossum.on('open', () => {
    openedAt = now();
  });
  // Transitions are reported only when someone listens: thousands of breakers without hooks
  // then carry no listener closures (see the memory figures in bench/retry).
  const { onStateChange } = hooks;
  if (onStateChange) {
    let last: CircuitState = 'closed';
    const report = (): void => {
      const from = last;
      last = current();
      callHook(onStateChange, { dependency: name, from, to: last });
    };
    opossum.on('open', report);
    opossum.on('halfOpen', report);
    opossum.on('close', report);
  }

  function openError(): InstanceType<typeof CircuitOpenError> {
    const state = current();
    const retryAfterMs = state === 'open' ? Math.max(0, openedAt + resetTimeoutMs - now()) : 0;
    callHook(hooks.onRejected, { dependency: name, retryAfterMs });
    const why = opossum.isShutdown ? 'shut down' : state;
    return new CircuitOpenError(`[@arm/retry] the "${name}" circuit is ${why}`, {
      retryAfterMs,
      details: { dependency: name, state, retryAfterMs },
    });
  }

  async function execute<T>(fn: Task<T>, call: ExecuteOptions = {}): Promise<T> {
    call.signal?.throwIfAborted();
    const context = contextOf(call);
    try {
      return (await opossum.fire(fn, context)) as T;
    } catch (error) {
      if (error instanceof SlowSuccess) return error.value as T;
      if (error instanceof Uncounted) throw error.error;
      if (isOpossumRejection(error)) throw openError();
      throw error;
    }
  }

  return {
    name,
    get state() {
      return current();
    },
    execute,
    stats() {
      const { fires, failures, rejects } = opossum.stats;
      return { calls: fires, failures, rejected: rejects };
    },
    open() {
      opossum.open();
    },
    close() {
      opossum.close();
    },
    shutdown() {
      opossum.shutdown();
    },
  };
}

/** opossum's own rejections: an open circuit, a busy half-open trial, or a shut-down breaker. */
function isOpossumRejection(error: unknown): boolean {
  return typeof error === 'object' && error !== null && OpossumBreaker.isOurError(error as Error);
}

/** opossum's `errorFilter`: one function for every breaker. */
function isUncounted(error: unknown): boolean {
  return error instanceof Uncounted;
}
