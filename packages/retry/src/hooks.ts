/**
 * The events policies report for metrics and logs. Every event names the dependency it
 * concerns, so `@arm/metrics` can label series by dependency with bounded cardinality.
 */
import type { CircuitState } from './circuit-breaker';

/**
 * Why a retry policy retried: the error asked for a delay (`retry-after`), the default
 * classification found it retryable, or a `shouldRetry` option said so (`custom`).
 */
export type RetryReason = 'retryable-error' | 'retry-after' | 'custom';

/** Why a retry policy stopped retrying and let the error through. */
export type GiveUpReason =
  | 'not-retryable'
  | 'attempts-exhausted'
  | 'deadline'
  | 'retry-after-too-long'
  | 'budget-exhausted'
  | 'aborted';

/** Hooks of a retry policy. Synchronous and cheap; a throwing hook never breaks the call. */
export interface RetryHooks {
  /** An attempt starts. */
  onAttempt(event: { readonly dependency: string; readonly attempt: number }): void;
  /** An attempt failed and the policy will retry after `delayMs`. */
  onRetry(event: {
    readonly dependency: string;
    readonly attempt: number;
    readonly delayMs: number;
    readonly reason: RetryReason;
    readonly error: unknown;
  }): void;
  /** An attempt failed and the policy lets the error through. */
  onGiveUp(event: {
    readonly dependency: string;
    readonly attempt: number;
    readonly reason: GiveUpReason;
    readonly error: unknown;
  }): void;
}

/** Hooks of a retry budget. */
export interface RetryBudgetHooks {
  /** A retry was refused because retries already used the budget of this dependency. */
  onBudgetExhausted(event: {
    readonly dependency: string;
    readonly requests: number;
    readonly retries: number;
  }): void;
}

/** Hooks of a circuit breaker. */
export interface CircuitBreakerHooks {
  /** The breaker moved from one state to another. */
  onStateChange(event: {
    readonly dependency: string;
    readonly from: CircuitState;
    readonly to: CircuitState;
  }): void;
  /** A call was refused because the circuit is open (or its half-open trial is running). */
  onRejected(event: { readonly dependency: string; readonly retryAfterMs: number }): void;
  /** A call succeeded but took `durationMs`, over the slow-call threshold: it counts as a failure. */
  onSlowCall(event: { readonly dependency: string; readonly durationMs: number }): void;
}

/** Hooks of a timeout policy. */
export interface TimeoutHooks {
  /** The work took longer than `timeoutMs` and was aborted. */
  onTimeout(event: { readonly dependency: string; readonly timeoutMs: number }): void;
}

/** Hooks of a bulkhead. */
export interface BulkheadHooks {
  /** A call was refused because every slot and every queue place was taken. */
  onBulkheadRejected(event: {
    readonly dependency: string;
    readonly concurrency: number;
    readonly queue: number;
  }): void;
}

/** Hooks of a fallback. */
export interface FallbackHooks {
  /** The work failed and the fallback answered instead. */
  onFallback(event: { readonly dependency: string; readonly error: unknown }): void;
}

/** Every hook of every policy: what a named pipeline from `createResilience` reports. */
export interface ResilienceHooks
  extends
    RetryHooks,
    RetryBudgetHooks,
    CircuitBreakerHooks,
    TimeoutHooks,
    BulkheadHooks,
    FallbackHooks {}
