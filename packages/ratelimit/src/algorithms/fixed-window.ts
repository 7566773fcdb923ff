/**
 * Fixed window: a count per window that starts at a key's first request. State:
 * `[windowStart, count]`. Cheap and easy to explain; allows up to twice the limit across a
 * window boundary, which the sliding window and GCRA avoid.
 */
import type { AlgorithmImpl } from './types';

/**
 * The fixed-window algorithm: a count per window that starts at the first counted request. State `[windowStart, count]`.
 *
 * @example
 * ```ts
 * const [policy] = compilePolicies({ algorithm: 'fixed-window', limit: 10, windowMs: 1_000 });
 * const { state, result } = fixedWindow.step(policy, undefined, Date.now(), 1);
 * ```
 */
export const fixedWindow: AlgorithmImpl = {
  step(policy, state, nowMs, cost) {
    const { limit, windowMs } = policy;
    const current = state !== undefined && nowMs < (state[0] as number) + windowMs;
    const start = current ? (state[0] as number) : nowMs;
    const count = current ? (state[1] as number) : 0;
    const resetMs = Math.max(0, Math.ceil(start + windowMs - nowMs - 1e-9));
    const allowed = count + cost <= limit;
    const used = allowed ? count + cost : count;
    return {
      state: [start, used],
      expiresAt: start + windowMs,
      result: {
        policy: policy.name,
        allowed,
        limit,
        remaining: limit - used,
        resetMs,
        retryAfterMs: allowed ? 0 : Math.max(1, resetMs),
        windowMs,
      },
    };
  },

  refund(policy, state, nowMs, amount) {
    if (state === undefined || nowMs >= (state[0] as number) + policy.windowMs) return undefined;
    return [state[0] as number, Math.max(0, (state[1] as number) - amount)];
  },
};
