/**
 * `createRateLimiter`: the framework-agnostic core every adapter calls. It checks options at
 * start-up, names keys, applies every policy through the store atomically, and keeps deciding
 * when the store is slow or down: fail open, fail closed, or fall back to a bounded memory
 * limiter until the store answers again.
 */
import { AbortedError, BadRequestError, TimeoutError } from '@arm/errors';
import { optionError } from './_option-error';
import { compilePolicies } from './policy';
import type { CompiledPolicy, PolicyOptions } from './policy';
import { combineResults } from './result';
import type { DecisionSource, PolicyResult, RateLimitResult } from './result';
import type { RateLimitStore, StoreOperation, StoreResult } from './store';
import { createMemoryStore } from './stores/memory';
import type { MemoryStore } from './stores/memory';
import { TIERS } from './tiers';
import type { TierName } from './tiers';

/** What the limiter does when its store fails or does not answer in time. */
export type FailureMode = 'open' | 'closed' | 'fallback';

/** What a limiter reports. Hooks are synchronous; one that throws never breaks a decision. */
export interface RateLimitHooks {
  /** Every decision of `consume`. */
  decision(event: {
    readonly key: string;
    readonly cost: number;
    readonly result: RateLimitResult;
  }): void;
  /** The store failed or timed out; `mode` says what the limiter did instead. */
  storeError(event: {
    readonly key: string;
    readonly error: unknown;
    readonly mode: FailureMode;
  }): void;
  /** The limiter started deciding from the memory fallback. */
  fallbackStart(event: { readonly store: string; readonly error: unknown }): void;
  /** The store answered again; the limiter went back to it. */
  fallbackEnd(event: { readonly store: string; readonly durationMs: number }): void;
}

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions {
  /**
   * A preset: `strict`, `standard`, `relaxed` or `api` (see `TIERS` for their numbers).
   * Its policies and failure mode apply unless `policies` or `failure` are also given.
   */
  readonly tier?: Exclude<TierName, 'auth'>;
  /** One policy, or several that must all allow a request (for example 10/s and 1000/day). */
  readonly policies?: PolicyOptions | readonly PolicyOptions[];
  /**
   * Namespaces this limiter's keys in a shared store; give each limiter its own.
   * @defaultValue `'default'`
   */
  readonly name?: string;
  /**
   * Where counts live.
   * @defaultValue a memory store of its own (`createMemoryStore()`)
   */
  readonly store?: RateLimitStore;
  /**
   * What to do when the store fails or takes longer than `timeoutMs`: `open` allows without
   * counting, `closed` denies, `fallback` decides from a bounded memory limiter and returns to
   * the store by itself once it answers again.
   * @defaultValue the tier's, else `'fallback'`
   */
  readonly failure?: FailureMode;
  /**
   * How long one store call may take, in milliseconds, before `failure` applies.
   * @defaultValue `250`
   */
  readonly timeoutMs?: number;
  /** The memory fallback, for `failure: 'fallback'`. */
  readonly fallback?: {
    /**
     * How many instances share the store. Each instance's fallback allows `limit / instances`
     * (at least 1), so the fleet as a whole keeps close to the limit while the store is down.
     * @defaultValue `1`
     */
    readonly instances?: number;
    /**
     * Keys the fallback holds at most.
     * @defaultValue `10_000`
     */
    readonly maxKeys?: number;
    /**
     * While falling back, how often to try the store again, in milliseconds.
     * @defaultValue `1000`
     */
    readonly probeIntervalMs?: number;
  };
  /**
   * The clock of the fallback and of the probe interval, in milliseconds.
   * @defaultValue `Date.now`
   */
  readonly now?: () => number;
  /** Hooks; see {@link RateLimitHooks}. */
  readonly hooks?: Partial<RateLimitHooks>;
}

/** Per-call options. */
export interface ConsumeOptions {
  /**
   * Units this request consumes, a positive integer.
   * @defaultValue `1`
   */
  readonly cost?: number;
  /** Abandons the wait for the store; the promise rejects with an `AbortedError`. */
  readonly signal?: AbortSignal;
}

/** A rate limiter. Every method takes the key of the client, user or resource to limit. */
export interface RateLimiter {
  /** The limiter's name (its key namespace). */
  readonly name: string;
  /** Its compiled policies. */
  readonly policies: readonly CompiledPolicy[];
  /** Counts a request of `cost` units if every policy allows it; otherwise counts nothing. */
  consume(key: string, options?: ConsumeOptions): Promise<RateLimitResult>;
  /** Tells what `consume` would decide, without counting. */
  peek(key: string, options?: ConsumeOptions): Promise<RateLimitResult>;
  /** Gives `cost` units back (a request that should not have counted). */
  refund(
    key: string,
    cost?: number,
    options?: Pick<ConsumeOptions, 'signal'>,
  ): Promise<RateLimitResult>;
  /** Denies the key for `durationMs`, whatever its counts. */
  block(
    key: string,
    durationMs: number,
    options?: Pick<ConsumeOptions, 'signal'>,
  ): Promise<RateLimitResult>;
  /** Forgets the key: counts and block. */
  reset(key: string, options?: Pick<ConsumeOptions, 'signal'>): Promise<void>;
}

const MAX_KEY_LENGTH = 1024;

/**
 * Creates a rate limiter.
 *
 * @param options - Policies or a tier, the store, the failure mode and hooks.
 * @returns The limiter.
 * @throws `ConfigurationError` at start-up for a bad option, naming it and what it accepts.
 * @example
 * ```ts
 * const limiter = createRateLimiter({
 *   policies: [
 *     { name: 'burst', limit: 10, windowMs: 1_000 },
 *     { name: 'daily', algorithm: 'fixed-window', limit: 1_000, windowMs: 86_400_000 },
 *   ],
 * });
 * const result = await limiter.consume(`user:${userId}`);
 * if (!result.allowed) throw toRateLimitError(result);
 * ```
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const tier = options.tier === undefined ? undefined : TIERS[options.tier];
  if (options.tier !== undefined && (!tier || options.tier === ('auth' as string))) {
    optionError(
      'tier',
      'strict, standard, relaxed or api (auth has createAuthLimiter)',
      options.tier,
    );
  }
  const policyOptions = options.policies ?? tier?.policies;
  if (policyOptions === undefined)
    optionError('policies', 'a policy or a list of policies (or a tier)', undefined);
  const policies = compilePolicies(policyOptions);
  const { name = 'default', timeoutMs = 250, now = Date.now, hooks = {} } = options;
  const failure = options.failure ?? tier?.failure ?? 'fallback';
  const store = options.store ?? createMemoryStore({ now });
  if (!/^[A-Za-z0-9:_-]{1,64}$/.test(name))
    optionError('name', 'letters, digits, ":", "-" and "_" (at most 64)', name);
  if (!['open', 'closed', 'fallback'].includes(failure))
    optionError('failure', 'open, closed or fallback', failure);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    optionError('timeoutMs', 'a positive number of milliseconds', timeoutMs);
  const { instances = 1, maxKeys = 10_000, probeIntervalMs = 1000 } = options.fallback ?? {};
  if (!Number.isInteger(instances) || instances < 1)
    optionError('fallback.instances', 'a positive integer', instances);
  if (!Number.isFinite(probeIntervalMs) || probeIntervalMs <= 0) {
    optionError('fallback.probeIntervalMs', 'a positive number of milliseconds', probeIntervalMs);
  }

  const withTimeout = createDeadlines(timeoutMs);
  let fallbackStore: MemoryStore | undefined;
  let fallbackPolicies: readonly CompiledPolicy[] = policies;
  let fallingBackSince: number | undefined;
  let nextProbeAt = 0;
  if (failure === 'fallback') {
    fallbackStore = createMemoryStore({ maxKeys, now });
    fallbackPolicies = compilePolicies(
      policies.map((policy) => ({
        name: policy.name,
        algorithm: policy.algorithm,
        limit: Math.max(1, Math.floor(policy.limit / instances)),
        windowMs: policy.windowMs,
        ...(policy.algorithm === 'token-bucket' || policy.algorithm === 'gcra'
          ? { burst: Math.max(1, Math.floor(policy.burst / instances)) }
          : {}),
      })),
    );
  }

  function emit<K extends keyof RateLimitHooks>(
    hook: K,
    event: Parameters<RateLimitHooks[K]>[0],
  ): void {
    try {
      (hooks[hook] as ((event: unknown) => void) | undefined)?.(event);
    } catch {
      // A hook must never break a decision.
    }
  }

  function endFallback(): void {
    if (fallingBackSince === undefined) return;
    const durationMs = now() - fallingBackSince;
    fallingBackSince = undefined;
    emit('fallbackEnd', { store: store.name, durationMs });
  }

  /** What to answer when the store failed: the fallback's decision or the failure mode's. */
  function afterStoreError(
    operation: StoreOperation,
    error: unknown,
  ): [StoreResult, DecisionSource] {
    emit('storeError', { key: operation.key, error, mode: failure });
    if (fallbackStore) {
      if (fallingBackSince === undefined) {
        fallingBackSince = now();
        emit('fallbackStart', { store: store.name, error });
      }
      nextProbeAt = now() + probeIntervalMs;
      return [fallbackStore.apply({ ...operation, policies: fallbackPolicies }), 'fallback'];
    }
    return [failedAnswer(failure === 'open'), failure === 'open' ? 'fail-open' : 'fail-closed'];
  }

  function failedAnswer(allowed: boolean): StoreResult {
    return {
      blockedMs: 0,
      policies: policies.map((policy): PolicyResult => ({
        policy: policy.name,
        allowed,
        limit: policy.limit,
        remaining: allowed ? policy.limit : 0,
        resetMs: policy.windowMs,
        retryAfterMs: allowed ? 0 : Math.min(policy.windowMs, 1000),
        windowMs: policy.windowMs,
      })),
    };
  }

  function finish(
    kind: StoreOperation['kind'],
    key: string,
    amount: number,
    answer: StoreResult,
    source: DecisionSource,
  ): RateLimitResult {
    const result = combineResults(answer.policies, source, answer.blockedMs);
    if (kind === 'consume' && hooks.decision) emit('decision', { key, cost: amount, result });
    return result;
  }

  /**
   * Applies an operation and combines the answer. A store that answers synchronously (the
   * memory store) costs one resolved promise and no timer: the hot path of a single process.
   */
  function decide(
    kind: StoreOperation['kind'],
    key: string,
    amount: number,
    signal: AbortSignal | undefined,
  ): Promise<RateLimitResult> {
    try {
      checkKey(key);
      if (kind === 'block') checkDuration(amount);
      else if (kind !== 'reset') checkCost(amount);
      if (signal?.aborted) throw aborted(signal);
      const operation: StoreOperation =
        kind === 'block'
          ? { kind, namespace: name, key, policies, durationMs: amount }
          : kind === 'reset'
            ? { kind, namespace: name, key, policies }
            : { kind, namespace: name, key, policies, cost: amount };
      if (fallingBackSince !== undefined && fallbackStore && now() < nextProbeAt) {
        return Promise.resolve(
          finish(
            kind,
            key,
            amount,
            fallbackStore.apply({ ...operation, policies: fallbackPolicies }),
            'fallback',
          ),
        );
      }
      let answer: StoreResult | Promise<StoreResult>;
      try {
        answer = store.apply(operation);
      } catch (error) {
        return Promise.resolve(finish(kind, key, amount, ...afterStoreError(operation, error)));
      }
      if (!(answer instanceof Promise)) {
        endFallback();
        return Promise.resolve(finish(kind, key, amount, answer, 'store'));
      }
      return withTimeout(
        answer,
        signal,
        (settled) => {
          endFallback();
          return finish(kind, key, amount, settled, 'store');
        },
        (error) => finish(kind, key, amount, ...afterStoreError(operation, error)),
      );
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  return {
    name,
    policies,
    consume: (key, options) => decide('consume', key, options?.cost ?? 1, options?.signal),
    peek: (key, options) => decide('peek', key, options?.cost ?? 1, options?.signal),
    refund: (key, cost = 1, options) => decide('refund', key, cost, options?.signal),
    block: (key, durationMs, options) => decide('block', key, durationMs, options?.signal),
    reset: (key, options) => decide('reset', key, 0, options?.signal).then(() => undefined),
  };
}

/** A store call waiting for its answer, in the order the calls started. */
interface Waiter {
  /** `Date.now()` after which the call times out. */
  readonly deadline: number;
  /** Settled by the answer, the timeout or the signal: nothing else may settle it. */
  settled: boolean;
  /** Settles the call as a store failure. */
  readonly fail: (error: Error) => void;
}

/**
 * Timeouts for the store calls of one limiter. Every call waits the same `timeoutMs`, so
 * deadlines come in the order calls start: a queue and one timer, armed for the oldest
 * unsettled call, replace a timer created and cleared per call. A call that settles first is
 * skipped when the timer reaches it. Deadlines are read from `Date.now()`, the clock timers
 * (and fake timers in tests) follow; a wall clock that jumps forward times calls out early,
 * one that jumps back is caught below.
 */
function createDeadlines(timeoutMs: number) {
  let queue: Waiter[] = [];
  let head = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function arm(delay: number): void {
    timer = setTimeout(expire, Math.max(1, delay));
    // The timer alone does not keep a process alive; a call in flight holds its own handle
    // (the client's socket).
    (timer as { unref?: () => void }).unref?.();
  }

  function expire(): void {
    timer = undefined;
    const time = Date.now();
    while (head < queue.length) {
      const waiter = queue[head] as Waiter;
      // A deadline further away than a whole timeout means the wall clock went back: due.
      if (!waiter.settled && waiter.deadline > time && waiter.deadline - time <= timeoutMs) {
        break;
      }
      head++;
      if (!waiter.settled) {
        waiter.settled = true;
        waiter.fail(
          new TimeoutError(`[@arm/ratelimit] the store did not answer within ${timeoutMs} ms`),
        );
      }
    }
    if (head === queue.length) {
      queue = [];
      head = 0;
      return;
    }
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
    arm((queue[head] as Waiter).deadline - time);
  }

  /**
   * Settles with `onAnswer(answer)` when the store answers in time, with `onFailure(error)`
   * when it fails or takes longer than `timeoutMs`, and rejects with an `AbortedError` when
   * the signal aborts: one promise per call, the limiter's own continuation included. A late
   * answer or failure of the store is absorbed: never an unhandled rejection.
   */
  return function withTimeout<T, R>(
    value: Promise<T>,
    signal: AbortSignal | undefined,
    onAnswer: (answer: T) => R,
    onFailure: (error: Error) => R,
  ): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      // A continuation that throws (it should not: hooks are guarded) still settles the call.
      const settle = <A>(run: (arg: A) => R, arg: A): void => {
        try {
          resolve(run(arg));
        } catch (thrown) {
          reject(thrown instanceof Error ? thrown : new Error(String(thrown)));
        }
      };
      const fail = (error: Error): void => {
        settle(onFailure, error);
      };
      const waiter: Waiter = { deadline: Date.now() + timeoutMs, settled: false, fail };
      queue.push(waiter);
      if (timer === undefined) arm(timeoutMs);
      let onAbort: (() => void) | undefined;
      if (signal !== undefined) {
        onAbort = () => {
          if (waiter.settled) return;
          waiter.settled = true;
          reject(aborted(signal));
        };
        signal.addEventListener('abort', onAbort, { once: true });
      }
      value.then(
        (answer) => {
          if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
          if (waiter.settled) return;
          waiter.settled = true;
          settle(onAnswer, answer);
        },
        (error: unknown) => {
          if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
          if (waiter.settled) return;
          waiter.settled = true;
          fail(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  };
}

function aborted(signal: AbortSignal): InstanceType<typeof AbortedError> {
  return new AbortedError('[@arm/ratelimit] the call was aborted', { cause: signal.reason });
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new BadRequestError(
      `[@arm/ratelimit] a key must be a non-empty string of at most ${MAX_KEY_LENGTH} characters`,
    );
  }
}

function checkDuration(durationMs: number): void {
  if (!Number.isFinite(durationMs) || durationMs <= 0) {
    throw new BadRequestError(
      `[@arm/ratelimit] block duration must be a positive number of milliseconds, got ${String(durationMs)}`,
    );
  }
}

function checkCost(cost: number): void {
  if (!Number.isInteger(cost) || cost < 1) {
    throw new BadRequestError(
      `[@arm/ratelimit] cost must be a positive integer, got ${String(cost)}`,
    );
  }
}
