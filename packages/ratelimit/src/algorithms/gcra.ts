/**
 * GCRA, the generic cell rate algorithm: each unit is due one emission interval
 * (`windowMs / limit`) after the last; a key may run `burst` units ahead. It keeps the
 * theoretical arrival time of the next unit (TAT) as `[epoch, offset]`: the time it was last
 * written and how far ahead of that time the TAT lies. Offsets are small numbers, so adding
 * fractional intervals to them stays exact where adding them to a timestamp near 1.7e12
 * would round. No window boundaries, and an exact `Retry-After`.
 */
import type { AlgorithmImpl } from './types';

/**
 * GCRA: each unit due one emission interval after the last, `burst` units of slack. State `[epoch, offset]`.
 *
 * @example
 * ```ts
 * const [policy] = compilePolicies({ algorithm: 'gcra', limit: 10, windowMs: 1_000 });
 * const { state, result } = gcra.step(policy, undefined, Date.now(), 1);
 * ```
 */
export const gcra: AlgorithmImpl = {
  step(policy, state, nowMs, cost) {
    const { burst, limit, windowMs } = policy;
    const interval = windowMs / limit;
    const tolerance = burst * interval;
    const ahead = aheadOf(state, nowMs);
    const next = ahead + cost * interval;
    const allowed = next <= tolerance * (1 + 1e-12);
    const kept = allowed ? next : ahead;
    return {
      state: [nowMs, kept],
      expiresAt: nowMs + kept,
      result: {
        policy: policy.name,
        allowed,
        limit,
        remaining: Math.max(0, Math.floor((tolerance - kept) / interval + 1e-9)),
        resetMs: Math.max(0, Math.ceil(kept - 1e-9)),
        retryAfterMs: allowed ? 0 : Math.max(1, Math.ceil(next - tolerance - 1e-9)),
        windowMs,
      },
    };
  },

  refund(policy, state, nowMs, amount) {
    const ahead = aheadOf(state, nowMs) - amount * (policy.windowMs / policy.limit);
    return ahead <= 0 ? undefined : [nowMs, ahead];
  },
};

/** How far the TAT lies ahead of `nowMs`; 0 when it has passed or there is no state. */
function aheadOf(state: readonly number[] | undefined, nowMs: number): number {
  if (state === undefined) return 0;
  return Math.max(0, (state[0] as number) - nowMs + (state[1] as number));
}
