/**
 * Named per-dependency pipelines: `createResilience(config).for('payments')` builds, once, the
 * pipeline for that dependency in the documented order (overall deadline -> bulkhead -> retry
 * with its budget -> breaker -> per-attempt timeout). Every policy of a dependency carries its
 * name, so each hook event says which dependency it is about; the budget and the breaker are
 * shared by every caller of that dependency.
 */
import type { BulkheadOptions } from './bulkhead';
import { createBulkhead } from './bulkhead';
import type { CircuitBreaker, CircuitBreakerOptions } from './circuit-breaker';
import { createCircuitBreaker } from './circuit-breaker';
import type { ResilienceHooks } from './hooks';
import { pipeline } from './pipeline';
import type { Policy } from './policy';
import type { RetryOptions } from './retry';
import { createRetryPolicy } from './retry';
import type { RetryBudget, RetryBudgetOptions } from './retry-budget';
import { createRetryBudget } from './retry-budget';
import { createTimeout } from './timeout';
import { invalid } from './_internal';

/** The policies of one dependency; `false` turns one off. */
export interface DependencyOptions {
  /**
   * The overall deadline of a call, retries and waits included, in milliseconds.
   * @defaultValue `undefined` (none)
   */
  readonly deadlineMs?: number | false | undefined;
  /**
   * Limits the calls in flight to the dependency.
   * @defaultValue `false` (no bulkhead)
   */
  readonly bulkhead?: Omit<BulkheadOptions, 'name' | 'hooks'> | false | undefined;
  /**
   * How calls are retried.
   * @defaultValue `{}` (the defaults of {@link createRetryPolicy})
   */
  readonly retry?: Omit<RetryOptions, 'name' | 'hooks' | 'budget'> | false | undefined;
  /**
   * The retry budget shared by every call to the dependency.
   * @defaultValue `{}` (the defaults of {@link createRetryBudget})
   */
  readonly budget?: Omit<RetryBudgetOptions, 'name' | 'hooks'> | false | undefined;
  /**
   * The dependency's circuit breaker.
   * @defaultValue `{}` (the defaults of {@link createCircuitBreaker})
   */
  readonly breaker?: Omit<CircuitBreakerOptions, 'name' | 'hooks'> | false | undefined;
  /**
   * The timeout of each attempt, in milliseconds.
   * @defaultValue `undefined` (none)
   */
  readonly attemptTimeoutMs?: number | false | undefined;
}

/** Options of {@link createResilience}. */
export interface ResilienceOptions {
  /**
   * What every dependency gets; a dependency's own options are merged over it, section by section.
   * @defaultValue `{}`
   */
  readonly defaults?: DependencyOptions;
  /**
   * Options per dependency name.
   * @defaultValue `{}`
   */
  readonly dependencies?: Readonly<Record<string, DependencyOptions>>;
  /** Metrics hooks for every dependency; each event names its dependency. */
  readonly hooks?: Partial<ResilienceHooks>;
}

/** The pipeline of one dependency. */
export interface DependencyPipeline extends Policy {
  /** The dependency's name. */
  readonly name: string;
  /** The dependency's breaker, when it has one. */
  readonly breaker: CircuitBreaker | undefined;
  /** The dependency's retry budget, when it has one. */
  readonly budget: RetryBudget | undefined;
}

/** A registry of per-dependency pipelines. */
export interface Resilience {
  /**
   * The pipeline of a dependency, built on first use and then shared.
   *
   * @param name - The dependency, a metrics label: letters, digits, `.`, `_`, `-`, at most 64.
   * @returns Its pipeline.
   * @throws ConfigurationError when the name or its options are invalid.
   */
  for(name: string): DependencyPipeline;
  /** Stops every breaker's timers; call it on shutdown. */
  shutdown(): void;
}

const NAME = /^[\w.-]{1,64}$/;

/**
 * Creates a registry of named per-dependency pipelines.
 *
 * @param options - Defaults, per-dependency options and hooks; see {@link ResilienceOptions}.
 * @returns The registry; `resilience.for('payments')` gives that dependency's pipeline.
 * @throws ConfigurationError when a configured dependency name is invalid (options are checked
 *   when the dependency is first used).
 * @example
 * ```ts
 * const resilience = createResilience({
 *   defaults: { retry: { attempts: 3 }, attemptTimeoutMs: 2_000 },
 *   dependencies: { payments: { deadlineMs: 10_000, breaker: { resetTimeoutMs: 5_000 } } },
 *   hooks: { onRetry: ({ dependency, delayMs }) => log.warn({ dependency, delayMs }, 'retry') },
 * });
 * const receipt = await resilience.for('payments').execute(({ signal }) => charge(order, { signal }));
 * ```
 */
export function createResilience(options: ResilienceOptions = {}): Resilience {
  const { defaults = {}, dependencies = {}, hooks = {} } = options;
  for (const name of Object.keys(dependencies)) checkName(name);
  const built = new Map<string, DependencyPipeline>();

  function build(name: string): DependencyPipeline {
    const own = Object.hasOwn(dependencies, name) ? dependencies[name] : undefined;
    const timeoutMs = (key: 'deadlineMs' | 'attemptTimeoutMs'): number | undefined => {
      const value = own?.[key] ?? defaults[key];
      return value === false ? undefined : value;
    };
    /** A section merged over the defaults' one; `false` on either side (own first) turns it off. */
    const merge = <O extends object>(
      key: 'bulkhead' | 'retry' | 'budget' | 'breaker',
      fallback: O | false,
    ): O | false => {
      const base = defaults[key] as O | false | undefined;
      const mine = own?.[key] as O | false | undefined;
      if (mine === false || (mine === undefined && base === false)) return false;
      if (base === undefined && mine === undefined) return fallback;
      return { ...(base === false ? {} : base), ...mine } as O;
    };

    const policies: Policy[] = [];
    const deadlineMs = timeoutMs('deadlineMs');
    if (deadlineMs !== undefined) {
      policies.push(createTimeout({ ms: deadlineMs, name, hooks }));
    }
    const bulkhead = merge<Omit<BulkheadOptions, 'name' | 'hooks'>>('bulkhead', false);
    if (bulkhead) policies.push(createBulkhead({ ...bulkhead, name, hooks }));
    const budgetOptions = merge<Omit<RetryBudgetOptions, 'name' | 'hooks'>>('budget', {});
    const budget = budgetOptions ? createRetryBudget({ ...budgetOptions, name, hooks }) : undefined;
    const retryOptions = merge<Omit<RetryOptions, 'name' | 'hooks' | 'budget'>>('retry', {});
    if (retryOptions) {
      policies.push(
        createRetryPolicy({ ...retryOptions, name, hooks, ...(budget ? { budget } : {}) }),
      );
    }
    const breakerOptions = merge<Omit<CircuitBreakerOptions, 'name' | 'hooks'>>('breaker', {});
    const breaker = breakerOptions
      ? createCircuitBreaker({ ...breakerOptions, name, hooks })
      : undefined;
    if (breaker) policies.push(breaker);
    const attemptTimeoutMs = timeoutMs('attemptTimeoutMs');
    if (attemptTimeoutMs !== undefined) {
      policies.push(createTimeout({ ms: attemptTimeoutMs, name, hooks }));
    }
    const composed = pipeline(...policies);
    return { name, breaker, budget, execute: (fn, options) => composed.execute(fn, options) };
  }

  return {
    for(name) {
      let existing = built.get(name);
      if (existing === undefined) {
        checkName(name);
        existing = build(name);
        built.set(name, existing);
      }
      return existing;
    },
    shutdown() {
      for (const { breaker } of built.values()) breaker?.shutdown();
    },
  };
}

function checkName(name: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    invalid('dependencies', 'named with 1 to 64 letters, digits, ".", "_" or "-"', name);
  }
}
