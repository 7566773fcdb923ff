/**
 * `createRateLimiter`: the framework-agnostic core every adapter calls. It checks options at
 * start-up, names keys, applies every policy through the store atomically, and keeps deciding
 * when the store is slow or down: fail open, fail closed, or fall back to a bounded memory
 * limiter until the store answers again.
 */
import { AbortedError, BadRequestError, ConfigurationError, TimeoutError } from '@arm/errors';
import { coarseNow } from './_clock';
import { optionError } from './_option-error';
import { compilePolicies } from './policy';
import type { CompiledPolicy, PolicyOptions } from './policy';
import { combineResults } from './result';
import type { DecisionSource, PolicyResult, RateLimitResult } from './result';
import type { RateLimitStore, StoreOperation, StoreResult } from './store';
import { createMemoryStore, localDecide } from './stores/memory';
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
   * The clock of the fallback (and of the default memory store) and of the probe interval,
   * in milliseconds.
   * @defaultValue `Date.now`, read at most once per millisecond timer tick and at least every
   * 256 reads
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

/**
 * A limiter over a memory store, which also decides synchronously: no promise and no microtask
 * per decision, for hot paths such as per-message limits on a socket. Hooks, the auth limiter
 * and the adapters see the same decisions as with the promise methods.
 */
export interface LocalRateLimiter extends RateLimiter {
  /**
   * {@link RateLimiter.consume}, answered synchronously.
   * @throws `BadRequestError` for a bad key or cost.
   */
  consumeSync(key: string, options?: Pick<ConsumeOptions, 'cost'>): RateLimitResult;
  /**
   * {@link RateLimiter.peek}, answered synchronously.
   * @throws `BadRequestError` for a bad key or cost.
   */
  peekSync(key: string, options?: Pick<ConsumeOptions, 'cost'>): RateLimitResult;
  /**
   * {@link RateLimiter.refund}, answered synchronously.
   * @throws `BadRequestError` for a bad key or cost.
   */
  refundSync(key: string, cost?: number): RateLimitResult;
}

const MAX_KEY_LENGTH = 1024;

/**
 * Creates a rate limiter over a memory store (its own, unless `store` is one made by
 * `createMemoryStore`): a {@link LocalRateLimiter}, which also decides synchronously.
 *
 * @param options - Policies or a tier, the memory store, the failure mode and hooks.
 * @returns The limiter.
 * @throws `ConfigurationError` at start-up for a bad option, naming it and what it accepts.
 * @example
 * ```ts
 * const perMessage = createRateLimiter({ policies: { limit: 20, windowMs: 1_000 } });
 * socket.on('message', (message) => {
 *   if (!perMessage.consumeSync(socketId).allowed) return;
 *   handle(message);
 * });
 * ```
 */
export function createRateLimiter(
  options: RateLimiterOptions & { readonly store?: MemoryStore },
): LocalRateLimiter;
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
export function createRateLimiter(options: RateLimiterOptions): RateLimiter;
export function createRateLimiter(options: RateLimiterOptions): RateLimiter | LocalRateLimiter {
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
  const { name = 'default', timeoutMs = 250, now = coarseNow, hooks = {} } = options;
  const failure = options.failure ?? tier?.failure ?? 'fallback';
  const store = options.store ?? createMemoryStore({ now });
  // A memory store decides in place, synchronously: the hot path of a single process.
  const decideInStore = localDecide(store);
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
    return reported(kind, key, amount, combineResults(answer.policies, source, answer.blockedMs));
  }

  /** Reports a consume's decision to the `decision` hook. */
  function reported(
    kind: StoreOperation['kind'],
    key: string,
    amount: number,
    result: RateLimitResult,
  ): RateLimitResult {
    if (kind === 'consume' && hooks.decision) emit('decision', { key, cost: amount, result });
    return result;
  }

  /** The continuations of a store call that returned a promise, made once per limiter. */
  function storeAnswered(operation: StoreOperation, answer: StoreResult): RateLimitResult {
    endFallback();
    return finish(operation.kind, operation.key, amountOf(operation), answer, 'store');
  }
  function storeFailed(operation: StoreOperation, error: Error): RateLimitResult {
    return finish(
      operation.kind,
      operation.key,
      amountOf(operation),
      ...afterStoreError(operation, error),
    );
  }

  /** Checks a call's arguments and names its operation; throws `BadRequestError`. */
  function operationOf(
    kind: StoreOperation['kind'],
    key: string,
    amount: number,
    signal: AbortSignal | undefined,
  ): StoreOperation {
    checkKey(key);
    if (kind === 'block') checkDuration(amount);
    else if (kind !== 'reset') checkCost(amount);
    if (signal?.aborted) throw aborted(signal);
    return kind === 'block'
      ? { kind, namespace: name, key, policies, durationMs: amount }
      : kind === 'reset'
        ? { kind, namespace: name, key, policies }
        : { kind, namespace: name, key, policies, cost: amount };
  }

  /**
   * Decides from the fallback, a failed store or a store that answered synchronously; or
   * returns the store's pending answer.
   */
  function decideOrPending(operation: StoreOperation): RateLimitResult | Promise<StoreResult> {
    const { kind, key } = operation;
    const amount = amountOf(operation);
    if (fallingBackSince !== undefined && fallbackStore && now() < nextProbeAt) {
      return finish(
        kind,
        key,
        amount,
        fallbackStore.apply({ ...operation, policies: fallbackPolicies }),
        'fallback',
      );
    }
    let answer: StoreResult | Promise<StoreResult>;
    try {
      answer = store.apply(operation);
    } catch (error) {
      return finish(kind, key, amount, ...afterStoreError(operation, error));
    }
    if (answer instanceof Promise) return answer;
    endFallback();
    return finish(kind, key, amount, answer, 'store');
  }

  /**
   * Applies an operation and combines the answer. A store that answers synchronously (the
   * memory store) costs one resolved promise and no timer.
   */
  function decide(
    kind: StoreOperation['kind'],
    key: string,
    amount: number,
    signal: AbortSignal | undefined,
  ): Promise<RateLimitResult> {
    try {
      const counts = kind === 'consume' || kind === 'peek' || kind === 'refund';
      if (decideInStore !== undefined && counts && signal?.aborted !== true) {
        return settled(decideSync(kind, key, amount));
      }
      const operation = operationOf(kind, key, amount, signal);
      const outcome = decideOrPending(operation);
      if (outcome instanceof Promise) {
        return withTimeout(outcome, signal, operation, storeAnswered, storeFailed);
      }
      return settled(outcome);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** `decide` without a promise, for a memory store. */
  function decideSync(
    kind: 'consume' | 'peek' | 'refund',
    key: string,
    amount: number,
  ): RateLimitResult {
    if (decideInStore === undefined) {
      throw new ConfigurationError(
        `[@arm/ratelimit] ${kind}Sync needs a memory store (createMemoryStore); this limiter's store is "${store.name}": call ${kind} instead`,
      );
    }
    // A refund, or a memory store that failed (a clock that throws) and is being replaced by
    // the fallback, takes the general path.
    if (kind === 'refund' || fallingBackSince !== undefined) {
      return decideOrPending(operationOf(kind, key, amount, undefined)) as RateLimitResult;
    }
    checkKey(key);
    checkCost(amount);
    let result: RateLimitResult;
    try {
      result = decideInStore(kind, name, key, policies, amount);
    } catch (error) {
      const operation = operationOf(kind, key, amount, undefined);
      return finish(kind, key, amount, ...afterStoreError(operation, error));
    }
    return reported(kind, key, amount, result);
  }

  return {
    name,
    policies,
    consume: (key, options) => decide('consume', key, options?.cost ?? 1, options?.signal),
    peek: (key, options) => decide('peek', key, options?.cost ?? 1, options?.signal),
    refund: (key, cost = 1, options) => decide('refund', key, cost, options?.signal),
    block: (key, durationMs, options) => decide('block', key, durationMs, options?.signal),
    reset: (key, options) => decide('reset', key, 0, options?.signal).then(() => undefined),
    consumeSync: (key, options) => decideSync('consume', key, options?.cost ?? 1),
    peekSync: (key, options) => decideSync('peek', key, options?.cost ?? 1),
    refundSync: (key, cost = 1) => decideSync('refund', key, cost),
  } satisfies LocalRateLimiter;
}

/**
 * `Promise.resolve(result)`, made cheap. Resolving with an object looks up its `then`, and V8
 * does that lookup generically (a fifth of a memory-store decision, measured with callgrind)
 * unless its optimizing compiler has seen the object's shape in the same function: the
 * comparison is that sighting. Both branches resolve the same way.
 */
function settled(result: RateLimitResult): Promise<RateLimitResult> {
  if (result.source === 'store') return Promise.resolve(result);
  return Promise.resolve(result);
}

/** Settles a store call: with the store's answer (`answered`) or as a store failure. */
type Settle = (answered: boolean, arg: unknown) => void;

/**
 * Timeouts for the store calls of one limiter. Every call waits the same `timeoutMs`, so
 * deadlines come in the order calls start: calls are numbered in that order and sit in a ring,
 * and one timer, armed for the oldest call still waiting, replaces a timer created and cleared
 * per call. Whatever settles a call first (the answer, a failure, the deadline or the signal)
 * takes it out of the ring, so nothing else can; the ring then holds nothing of it, and
 * settled calls at its head leave it as new calls arrive, so it spans only calls in flight.
 * Only the ring, which lives as long as the limiter, points at calls. With a Map or a linked
 * list of the calls, or waiter objects kept until their deadline, V8 promoted megabytes of
 * finished calls to its old generation once two limiters took turns in one process, and
 * garbage collection cost more than the rest of a Redis decision's JavaScript.
 * Deadlines are read from `Date.now()`, the clock timers (and fake timers in tests) follow; a
 * wall clock that jumps forward times calls out early, one that jumps back is caught below.
 */
function createDeadlines(timeoutMs: number) {
  /** Call `n` sits at slot `n & (length - 1)`: its settle function, undefined once settled. */
  let settles = new Array<Settle | undefined>(64).fill(undefined);
  /** Call `n`'s deadline, in `Date.now()` milliseconds, at the same slot. */
  let deadlines = new Float64Array(64);
  /** The ring holds calls `head` to `tail - 1`. */
  let head = 0;
  let tail = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function arm(delay: number): void {
    // A continuation run by expire() may have armed the timer already.
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(expire, Math.max(1, delay));
    // The timer alone does not keep a process alive; a call in flight holds its own handle
    // (the client's socket).
    (timer as { unref?: () => void }).unref?.();
  }

  function expire(): void {
    timer = undefined;
    const time = Date.now();
    while (head < tail) {
      // Read the size each time: a continuation below may start calls and grow the ring.
      const slot = head & (settles.length - 1);
      const settle = settles[slot];
      if (settle !== undefined) {
        const deadline = deadlines[slot] as number;
        // A deadline further away than a whole timeout means the wall clock went back: due.
        if (deadline > time && deadline - time <= timeoutMs) {
          arm(deadline - time);
          return;
        }
        settles[slot] = undefined;
      }
      head++;
      settle?.(
        false,
        new TimeoutError(`[@arm/ratelimit] the store did not answer within ${timeoutMs} ms`),
      );
    }
  }

  /** Puts a call in the ring; returns its number. */
  function add(settle: Settle): number {
    let mask = settles.length - 1;
    while (head < tail && settles[head & mask] === undefined) head++;
    if (tail - head === settles.length) {
      // Full of calls in flight: double the ring, each call keeping its number.
      const size = settles.length * 2;
      const grown = new Array<Settle | undefined>(size).fill(undefined);
      const grownDeadlines = new Float64Array(size);
      for (let call = head; call < tail; call++) {
        grown[call & (size - 1)] = settles[call & mask];
        grownDeadlines[call & (size - 1)] = deadlines[call & mask] as number;
      }
      settles = grown;
      deadlines = grownDeadlines;
      mask = size - 1;
    }
    settles[tail & mask] = settle;
    deadlines[tail & mask] = Date.now() + timeoutMs;
    return tail++;
  }

  /** Takes call `call` out of the ring: its settle function, or undefined if already settled. */
  function take(call: number): Settle | undefined {
    // Below the head, the call has left the ring and its slot may hold a later call.
    if (call < head) return undefined;
    const slot = call & (settles.length - 1);
    const settle = settles[slot];
    settles[slot] = undefined;
    return settle;
  }

  /**
   * Settles with `onAnswer(context, answer)` when the store answers in time, with
   * `onFailure(context, error)` when it fails or takes longer than `timeoutMs`, and rejects
   * with an `AbortedError` when the signal aborts: one promise per call, the limiter's own
   * continuation included. The continuations take the call's `context` so that a limiter
   * creates them once, not per call. A late answer or failure of the store is absorbed: never
   * an unhandled rejection.
   */
  return function withTimeout<C, T, R>(
    value: Promise<T>,
    signal: AbortSignal | undefined,
    context: C,
    onAnswer: (context: C, answer: T) => R,
    onFailure: (context: C, error: Error) => R,
  ): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      let onAbort: (() => void) | undefined;
      const call = add((answered, arg) => {
        if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
        // A continuation that throws (it should not: hooks are guarded) still settles the call.
        try {
          resolve(answered ? onAnswer(context, arg as T) : onFailure(context, arg as Error));
        } catch (thrown) {
          reject(thrown instanceof Error ? thrown : new Error(String(thrown)));
        }
      });
      if (timer === undefined) arm(timeoutMs);
      if (signal !== undefined) {
        onAbort = () => {
          if (take(call) !== undefined) reject(aborted(signal));
        };
        signal.addEventListener('abort', onAbort, { once: true });
      }
      value.then(
        (answer) => {
          take(call)?.(true, answer);
        },
        (error: unknown) => {
          take(call)?.(false, error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  };
}

/** The amount `decide` was called with, read back from its operation. */
function amountOf(operation: StoreOperation): number {
  return operation.kind === 'block'
    ? operation.durationMs
    : operation.kind === 'reset'
      ? 0
      : operation.cost;
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
