/** Builds an algorithm's pure `step` from its kernel, so each algorithm is written once. */
import type { CompiledPolicy } from '../policy';
import type { PolicyResult } from '../result';
import type { AlgorithmImpl, Kernel, Outcome } from './types';

/** A fresh outcome for a kernel to fill. */
export function newOutcome(): Outcome {
  return {
    allowed: false,
    remaining: 0,
    resetMs: 0,
    retryAfterMs: 0,
    expiresAt: 0,
    s0: Number.NaN,
    s1: Number.NaN,
    s2: Number.NaN,
  };
}

/**
 * A policy's result from a kernel's outcome; `refunded` units are added back to what
 * remains (a peeked or denied request leaves its cost unconsumed).
 */
export function policyResult(policy: CompiledPolicy, out: Outcome, refunded: number): PolicyResult {
  return {
    policy: policy.name,
    allowed: out.allowed,
    limit: policy.limit,
    remaining: out.allowed ? out.remaining + refunded : out.remaining,
    resetMs: out.resetMs,
    retryAfterMs: out.retryAfterMs,
    windowMs: policy.windowMs,
  };
}

/** The pure `step` of an algorithm keeping `slots` numbers of state. */
export function stepOf(decide: Kernel, slots: 2 | 3): AlgorithmImpl['step'] {
  return (policy, state, nowMs, cost) => {
    const out = newOutcome();
    decide(
      policy,
      state === undefined ? Number.NaN : (state[0] as number),
      state === undefined ? Number.NaN : (state[1] as number),
      state === undefined || slots === 2 ? Number.NaN : (state[2] as number),
      nowMs,
      cost,
      out,
    );
    return {
      state: slots === 2 ? [out.s0, out.s1] : [out.s0, out.s1, out.s2],
      expiresAt: out.expiresAt,
      result: policyResult(policy, out, 0),
    };
  };
}
