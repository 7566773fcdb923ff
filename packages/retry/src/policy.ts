/**
 * The one shape every policy has: `execute(fn, options)`. A pipeline is a policy made of
 * policies, so retry, breaker, timeout and bulkhead compose without knowing each other.
 */

/** What a policy hands to the function it runs. */
export interface PolicyContext {
  /** Aborts when the caller cancels or a timeout fires; pass it on to `fetch` and drivers. */
  readonly signal: AbortSignal;
  /** The attempt number, from 1; stays 1 outside a retry policy. */
  readonly attempt: number;
  /**
   * When the call must be over, in `Date.now()` milliseconds: the earliest deadline of the
   * timeouts around this point; `Infinity` when there is none. A retry policy does not start a
   * wait that would end after it, and work may use it to size its own timeouts.
   */
  readonly deadline: number;
}

/** Options of one `execute` call. */
export interface ExecuteOptions {
  /** Cancels the call: waiting stops and the work's own signal aborts with the same reason. */
  readonly signal?: AbortSignal | undefined;
  /**
   * The attempt number an outer retry policy is on; policies pass it down to the work.
   * @defaultValue `1`
   */
  readonly attempt?: number | undefined;
  /**
   * The deadline of an outer timeout, in `Date.now()` milliseconds; policies pass it down.
   * @defaultValue `Infinity`
   */
  readonly deadline?: number | undefined;
}

/** The work a policy runs: a function of the {@link PolicyContext}. */
export type Task<T> = (context: PolicyContext) => T | PromiseLike<T>;

/**
 * A resilience policy: retry, circuit breaker, timeout, bulkhead, fallback or a pipeline of them.
 *
 * @typeParam Extra - What the policy may resolve with besides the work's own result (a
 *   fallback's value); `never` for every other policy.
 */
export interface Policy<Extra = never> {
  /**
   * Runs `fn` under this policy.
   *
   * @param fn - The work; it receives the signal to honour and the attempt number.
   * @param options - The caller's signal.
   * @returns What `fn` resolves with (or, for a fallback, its value).
   */
  execute<T>(fn: Task<T>, options?: ExecuteOptions): Promise<T | Extra>;
}
