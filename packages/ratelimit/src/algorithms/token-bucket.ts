/**
 * Token bucket: `burst` tokens, refilled continuously at `limit` per window; a request takes
 * `cost` tokens. State: `[tokens, updatedAt]`.
 */
import { stepOf } from './_kernel';
import type { AlgorithmImpl, Kernel } from './types';

/** The token-bucket decision over state `[tokens, updatedAt]` passed as numbers. */
export const decideTokenBucket: Kernel = (policy, s0, s1, _s2, nowMs, cost, out) => {
  const { burst, limit, windowMs } = policy;
  const rate = limit / windowMs;
  const tokens = available(s0, s1, nowMs, burst, rate);
  const allowed = tokens + 1e-9 >= cost;
  const left = allowed ? tokens - cost : tokens;
  const resetMs = Math.max(0, Math.ceil((burst - left) / rate - 1e-9));
  out.allowed = allowed;
  out.remaining = Math.max(0, Math.floor(left + 1e-9));
  out.resetMs = resetMs;
  out.retryAfterMs = allowed ? 0 : Math.max(1, Math.ceil((cost - tokens) / rate - 1e-9));
  out.expiresAt = nowMs + resetMs;
  out.s0 = left;
  out.s1 = nowMs;
};

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
  step: stepOf(decideTokenBucket, 2),

  refund(policy, state, nowMs, amount) {
    if (state === undefined) return undefined;
    const rate = policy.limit / policy.windowMs;
    const tokens = Math.min(
      policy.burst,
      available(state[0] as number, state[1] as number, nowMs, policy.burst, rate) + amount,
    );
    return tokens >= policy.burst ? undefined : [tokens, nowMs];
  },
};

/** Tokens in the bucket now; a full bucket for no state (a NaN count). */
function available(
  tokens: number,
  updatedAt: number,
  nowMs: number,
  burst: number,
  rate: number,
): number {
  if (Number.isNaN(tokens)) return burst;
  return Math.min(burst, tokens + Math.max(0, nowMs - updatedAt) * rate);
}
