/**
 * Fixed window: a count per window that starts at a key's first request. State:
 * `[windowStart, count]`. Cheap and easy to explain; allows up to twice the limit across a
 * window boundary, which the sliding window and GCRA avoid.
 */
import { stepOf } from './_kernel';
import type { AlgorithmImpl, Kernel } from './types';

/** The fixed-window decision over state `[windowStart, count]` passed as numbers. */
export const decideFixedWindow: Kernel = (policy, s0, s1, _s2, nowMs, cost, out) => {
  const { limit, windowMs } = policy;
  // A NaN start (no state) compares false: a new window.
  const current = nowMs < s0 + windowMs;
  const start = current ? s0 : nowMs;
  const count = current ? s1 : 0;
  const resetMs = Math.max(0, Math.ceil(start + windowMs - nowMs - 1e-9));
  const allowed = count + cost <= limit;
  const used = allowed ? count + cost : count;
  out.allowed = allowed;
  out.remaining = limit - used;
  out.resetMs = resetMs;
  out.retryAfterMs = allowed ? 0 : Math.max(1, resetMs);
  out.expiresAt = start + windowMs;
  out.s0 = start;
  out.s1 = used;
};

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
  step: stepOf(decideFixedWindow, 2),

  refund(policy, state, nowMs, amount) {
    if (state === undefined || nowMs >= (state[0] as number) + policy.windowMs) return undefined;
    return [state[0] as number, Math.max(0, (state[1] as number) - amount)];
  },
};
