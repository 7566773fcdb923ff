/**
 * GCRA, the generic cell rate algorithm: each unit is due one emission interval
 * (`windowMs / limit`) after the last; a key may run `burst` units ahead. It keeps the
 * theoretical arrival time of the next unit (TAT) as `[epoch, offset]`: the time it was last
 * written and how far ahead of that time the TAT lies. Offsets are small numbers, so adding
 * fractional intervals to them stays exact where adding them to a timestamp near 1.7e12
 * would round. No window boundaries, and an exact `Retry-After`.
 */
import { stepOf } from './_kernel';
import type { AlgorithmImpl, Kernel } from './types';

/** The GCRA decision over state `[epoch, offset]` passed as numbers. */
export const decideGcra: Kernel = (policy, s0, s1, _s2, nowMs, cost, out) => {
  const { burst, limit, windowMs } = policy;
  const interval = windowMs / limit;
  const tolerance = burst * interval;
  const ahead = aheadOf(s0, s1, nowMs);
  const next = ahead + cost * interval;
  const allowed = next <= tolerance * (1 + 1e-12);
  const kept = allowed ? next : ahead;
  out.allowed = allowed;
  out.remaining = Math.max(0, Math.floor((tolerance - kept) / interval + 1e-9));
  out.resetMs = Math.max(0, Math.ceil(kept - 1e-9));
  out.retryAfterMs = allowed ? 0 : Math.max(1, Math.ceil(next - tolerance - 1e-9));
  out.expiresAt = nowMs + kept;
  out.s0 = nowMs;
  out.s1 = kept;
};

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
  step: stepOf(decideGcra, 2),

  refund(policy, state, nowMs, amount) {
    const ahead =
      (state === undefined ? 0 : aheadOf(state[0] as number, state[1] as number, nowMs)) -
      amount * (policy.windowMs / policy.limit);
    return ahead <= 0 ? undefined : [nowMs, ahead];
  },
};

/** How far the TAT lies ahead of `nowMs`; 0 when it has passed or there is no state. */
function aheadOf(epoch: number, offset: number, nowMs: number): number {
  return Number.isNaN(epoch) ? 0 : Math.max(0, epoch - nowMs + offset);
}
