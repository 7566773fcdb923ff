/**
 * `@arm/retry`: retries, circuit breakers, timeouts, bulkheads, fallbacks and retry budgets
 * that work together, on p-retry and opossum, driven by the `@arm/errors` taxonomy.
 *
 * @packageDocumentation
 */
export { createRetryPolicy, retry } from './retry';
export type { RetryDecisionContext, RetryOptions, RetryPolicy } from './retry';
export { backoffDelay } from './backoff';
export type { BackoffOptions, Jitter } from './backoff';
export { createRetryBudget } from './retry-budget';
export type { RetryBudget, RetryBudgetOptions, RetryBudgetSnapshot } from './retry-budget';
export { createCircuitBreaker } from './circuit-breaker';
export type {
  BoundCircuitBreaker,
  CircuitBreaker,
  CircuitBreakerOptions,
  CircuitBreakerStats,
  CircuitState,
} from './circuit-breaker';
export { createTimeout } from './timeout';
export type { TimeoutOptions, TimeoutPolicy } from './timeout';
export { BulkheadRejectedError, createBulkhead } from './bulkhead';
export type { Bulkhead, BulkheadOptions, BulkheadRejectedDetails } from './bulkhead';
export { fallback } from './fallback';
export type { FallbackOptions } from './fallback';
export { pipeline } from './pipeline';
export { createResilience } from './resilience';
export type {
  DependencyOptions,
  DependencyPipeline,
  Resilience,
  ResilienceOptions,
} from './resilience';
export { isCircuitFailure, isRetryableError, parseRetryAfter, retryAfterMs } from './classify';
export type { ExecuteOptions, Policy, PolicyContext, Task } from './policy';
export type {
  BulkheadHooks,
  CircuitBreakerHooks,
  FallbackHooks,
  GiveUpReason,
  ResilienceHooks,
  RetryBudgetHooks,
  RetryHooks,
  RetryReason,
  TimeoutHooks,
} from './hooks';
