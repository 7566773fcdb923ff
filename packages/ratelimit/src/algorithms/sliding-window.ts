/**
 * Sliding window: windows aligned to multiples of the window length; a request counts
 * against the current window's count plus the previous window's, weighted by the share of the
 * previous window still inside the sliding one. State: `[windowStart, current, previous]`.
 */
import type { AlgorithmImpl } from './types';

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
  step(policy, state, nowMs, cost) {
    const { limit, windowMs } = policy;
    const start = Math.floor(nowMs / windowMs) * windowMs;
    const [current, previous] = counts(state, start, windowMs);
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
    return {
      state: [start, after, previous],
      expiresAt: start + 2 * windowMs,
      result: {
        policy: policy.name,
        allowed,
        limit,
        remaining: Math.max(0, Math.floor(limit - usedAfter + 1e-9)),
        resetMs,
        retryAfterMs,
        windowMs,
      },
    };
  },

  refund(policy, state, nowMs, amount) {
    const start = Math.floor(nowMs / policy.windowMs) * policy.windowMs;
    const [current, previous] = counts(state, start, policy.windowMs);
    if (current === 0 && previous === 0) return undefined;
    return [start, Math.max(0, current - amount), previous];
  },
};

/** The current and previous window counts at the window starting at `start`. */
function counts(
  state: readonly number[] | undefined,
  start: number,
  windowMs: number,
): [number, number] {
  if (state === undefined) return [0, 0];
  const kept = state[0] as number;
  if (kept === start) return [state[1] as number, state[2] as number];
  if (kept === start - windowMs) return [0, state[1] as number];
  return [0, 0];
}
