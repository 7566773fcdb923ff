/** What a limiter answers: one decision, and the figures of every policy behind it. */

/** The decision of one policy for one key. */
export interface PolicyResult {
  /** The policy's name. */
  readonly policy: string;
  /** Whether this policy allows the request. */
  readonly allowed: boolean;
  /** Units the policy allows per window. */
  readonly limit: number;
  /** Units left now (after this request, when it was consumed). */
  readonly remaining: number;
  /** Milliseconds until the key's quota under this policy is whole again. */
  readonly resetMs: number;
  /**
   * Milliseconds until a request of the same cost would be allowed; 0 when allowed. For a
   * cost above what the policy can ever allow, the time until its quota is whole again.
   */
  readonly retryAfterMs: number;
  /** The policy's window in milliseconds. */
  readonly windowMs: number;
}

/** Where a decision came from. */
export type DecisionSource = 'store' | 'fallback' | 'fail-open' | 'fail-closed';

/**
 * The decision for one request: allowed only when every policy allows it. The top-level
 * figures are those of the binding policy: the one that denied with the longest wait, or,
 * when allowed, the one with the fewest units left.
 */
export interface RateLimitResult extends PolicyResult {
  /** Every policy's own figures, in the limiter's order. */
  readonly policies: readonly PolicyResult[];
  /** The policies that denied the request (empty when allowed). */
  readonly violated: readonly string[];
  /** `true` when a block (`block()`, the auth tier's escalation) denied the request. */
  readonly blocked: boolean;
  /**
   * `store` for a decision of the configured store; `fallback` when the memory fallback
   * decided because the store failed; `fail-open` and `fail-closed` when the store failed and
   * the limiter allowed or denied without counting.
   */
  readonly source: DecisionSource;
}

/**
 * Combines policy results into one decision.
 *
 * @internal
 */
export function combineResults(
  policies: readonly PolicyResult[],
  source: DecisionSource,
  blockedMs: number,
): RateLimitResult {
  if (policies.length === 0) return NO_DECISION;
  // One policy and no block, the common case.
  if (policies.length === 1 && blockedMs <= 0) {
    return soleDecision(policies[0] as PolicyResult, policies, source);
  }
  const blocked = blockedMs > 0;
  let binding = policies[0] as PolicyResult;
  let violated: string[] = NONE_VIOLATED;
  for (const result of policies) {
    if (!result.allowed) {
      if (violated === NONE_VIOLATED) violated = [];
      violated.push(result.policy);
    }
    if (
      binding.allowed
        ? !result.allowed || result.remaining < binding.remaining
        : !result.allowed && result.retryAfterMs > binding.retryAfterMs
    ) {
      binding = result;
    }
  }
  // Spelled out rather than spread: one object shape for every decision keeps this hot path fast.
  return {
    policy: binding.policy,
    allowed: violated.length === 0 && !blocked,
    limit: binding.limit,
    remaining: binding.remaining,
    resetMs: binding.resetMs,
    retryAfterMs: blocked
      ? Math.max(binding.retryAfterMs, Math.ceil(blockedMs))
      : binding.retryAfterMs,
    windowMs: binding.windowMs,
    policies,
    violated,
    blocked,
    source,
  };
}

/**
 * The decision of one policy on a key that is not blocked: its figures are the decision's.
 * `policies` holds just `only`.
 *
 * @internal
 */
export function soleDecision(
  only: PolicyResult,
  policies: readonly PolicyResult[],
  source: DecisionSource,
): RateLimitResult {
  return {
    policy: only.policy,
    allowed: only.allowed,
    limit: only.limit,
    remaining: only.remaining,
    resetMs: only.resetMs,
    retryAfterMs: only.retryAfterMs,
    windowMs: only.windowMs,
    policies,
    violated: only.allowed ? NONE_VIOLATED : [only.policy],
    blocked: false,
    source,
  };
}

const NONE_VIOLATED: string[] = [];
Object.freeze(NONE_VIOLATED);

/** What `reset` resolves with internally: no policies, nothing decided. */
const NO_DECISION: RateLimitResult = Object.freeze({
  policy: '',
  allowed: true,
  limit: 0,
  remaining: 0,
  resetMs: 0,
  retryAfterMs: 0,
  windowMs: 0,
  policies: [],
  violated: NONE_VIOLATED,
  blocked: false,
  source: 'store',
});
