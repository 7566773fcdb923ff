/**
 * Sliding window: windows aligned to multiples of the window length; a request counts
 * against the current window's count plus the previous window's, weighted by the share of the
 * previous window still inside the sliding one. State: `[windowStart, current, previous]`.
 */
import { newOutcome, stepOf } from './_kernel';
import type { AlgorithmImpl, Kernel } from './types';

/** The sliding-window decision over state `[windowStart, current, previous]` as numbers. */
export const decideSlidingWindow: Kernel = (policy, s0, s1, s2, nowMs, cost, out) => {
  const { limit, windowMs } = policy;
  const start = Math.floor(nowMs / windowMs) * windowMs;
  // The counts at this window; a NaN start (no state) matches neither case.
  let current = 0;
  let previous = 0;
  if (s0 === start) {
    current = s1;
    previous = s2;
  } else if (s0 === start - windowMs) previous = s1;
  const elapsed = nowMs - start;
  const used = previous * (1 - elapsed / windowMs) + current;
  const allowed = used + cost <= limit + 1e-9;
  const after = allowed ? current + cost : current;
  const usedAfter = allowed ? used + cost : used;
  const resetAt = after > 0 ? start + 2 * windowMs : previous > 0 ? start + windowMs : nowMs;
  const resetMs = Math.max(0, Math.ceil(resetAt - nowMs - 1e-9));
  let retryAfterMs = 0;
  if (!allowed) {
    const room = limit - cost - current;
    if (cost > limit) {
      // No wait makes room for more than the limit: say when the quota is whole again.
      retryAfterMs = resetMs;
    } else if (room >= 0 && previous > 0) {
      // Within this window, as the previous window's weight shrinks.
      retryAfterMs = windowMs * (1 - room / previous) - elapsed;
    } else {
      // In the next window, where this window's count becomes the weighted one.
      const next = current > limit - cost ? windowMs * (1 - (limit - cost) / current) : 0;
      retryAfterMs = windowMs - elapsed + next;
    }
    retryAfterMs = Math.max(1, Math.ceil(retryAfterMs - 1e-9));
  }
  out.allowed = allowed;
  out.remaining = Math.max(0, Math.floor(limit - usedAfter + 1e-9));
  out.resetMs = resetMs;
  out.retryAfterMs = retryAfterMs;
  out.expiresAt = start + 2 * windowMs;
  out.s0 = start;
  out.s1 = after;
  out.s2 = previous;
};

/**
 * The sliding-window algorithm: the current aligned window plus the previous one weighted by its overlap. State `[windowStart, current, previous]`.
 *
 * @example
 * ```ts
 * const [policy] = compilePolicies({ algorithm: 'sliding-window', limit: 10, windowMs: 1_000 });
 * const { state, result } = slidingWindow.step(policy, undefined, Date.now(), 1);
 * ```
 */
export const slidingWindow: AlgorithmImpl = {
  step: stepOf(decideSlidingWindow, 3),

  refund(policy, state, nowMs, amount) {
    if (state === undefined) return undefined;
    // A decision of no cost gives this window's counts.
    const out = newOutcome();
    decideSlidingWindow(
      policy,
      state[0] as number,
      state[1] as number,
      state[2] as number,
      nowMs,
      0,
      out,
    );
    if (out.s1 === 0 && out.s2 === 0) return undefined;
    return [out.s0, Math.max(0, out.s1 - amount), out.s2];
  },
};
