/**
 * Token bucket: `burst` tokens, refilled continuously at `limit` per window; a request takes
 * `cost` tokens. State: `[tokens, updatedAt]`.
 */
import type { AlgorithmImpl } from './types';

/**
 * The token-bucket algorithm: `burst` tokens refilled at `limit` per window. State `[tokens, updatedAt]`.
 *
 * @example
 * ```ts
 * const [policy] = compilePolicies({ algorithm: 'token-bucket', limit: 10, windowMs: 1_000 });
 * const { state, result } = tokenBucket.step(policy, undefined, Date.now(), 1);
 * ```
 */
export const tokenBucket: AlgorithmImpl = {
  step(policy, state, nowMs, cost) {
    const { burst, limit, windowMs } = policy;
    const rate = limit / windowMs;
    const tokens = available(state, nowMs, burst, rate);
    const allowed = tokens + 1e-9 >= cost;
    const left = allowed ? tokens - cost : tokens;
    const resetMs = Math.max(0, Math.ceil((burst - left) / rate - 1e-9));
    return {
      state: [left, nowMs],
      expiresAt: nowMs + resetMs,
      result: {
        policy: policy.name,
        allowed,
        limit,
        remaining: Math.max(0, Math.floor(left + 1e-9)),
        resetMs,
        retryAfterMs: allowed ? 0 : Math.max(1, Math.ceil((cost - tokens) / rate - 1e-9)),
        windowMs,
      },
    };
  },

  refund(policy, state, nowMs, amount) {
    if (state === undefined) return undefined;
    const rate = policy.limit / policy.windowMs;
    const tokens = Math.min(policy.burst, available(state, nowMs, policy.burst, rate) + amount);
    return tokens >= policy.burst ? undefined : [tokens, nowMs];
  },
};

function available(
  state: readonly number[] | undefined,
  nowMs: number,
  burst: number,
  rate: number,
): number {
  if (state === undefined) return burst;
  const elapsed = Math.max(0, nowMs - (state[1] as number));
  return Math.min(burst, (state[0] as number) + elapsed * rate);
}
