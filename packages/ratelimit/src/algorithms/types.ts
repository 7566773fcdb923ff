/** The shape every algorithm shares: a pure step over explicit state and an injected clock. */
import type { CompiledPolicy } from '../policy';
import type { PolicyResult } from '../result';

/** What one step of an algorithm produces. */
export interface AlgorithmStep {
  /** The state to keep if the request is consumed. */
  readonly state: number[];
  /** The decision and figures for this policy. */
  readonly result: PolicyResult;
  /** When the new state no longer matters (equals no state); a store may forget it then. */
  readonly expiresAt: number;
}

/** An algorithm: how to decide, how to give units back, and how much state it keeps. */
export interface AlgorithmImpl {
  /**
   * Decides whether `cost` units fit. Pure: the same state, time and cost give the same step.
   * @param policy - The policy being applied.
   * @param state - The key's state for this policy, or `undefined` for a new key.
   * @param nowMs - The current time in milliseconds.
   * @param cost - Units the request consumes, a positive integer.
   */
  step(
    policy: CompiledPolicy,
    state: readonly number[] | undefined,
    nowMs: number,
    cost: number,
  ): AlgorithmStep;
  /**
   * Gives `amount` units back, never beyond a whole quota.
   * @returns The new state, or `undefined` when nothing is left to keep.
   */
  refund(
    policy: CompiledPolicy,
    state: readonly number[] | undefined,
    nowMs: number,
    amount: number,
  ): number[] | undefined;
}

/**
 * What one decision of a {@link Kernel} leaves, written into an object the caller reuses so
 * that the memory store decides without allocating.
 *
 * @internal
 */
export interface Outcome {
  allowed: boolean;
  remaining: number;
  resetMs: number;
  retryAfterMs: number;
  /** When the new state no longer matters. */
  expiresAt: number;
  /** The state to keep if the request is consumed (`s2` unused by two-slot algorithms). */
  s0: number;
  s1: number;
  s2: number;
}

/**
 * An algorithm's decision over state passed as numbers (`s0` NaN for no state): the one
 * implementation behind both `step` and the memory store's hot path.
 *
 * @internal
 */
export type Kernel = (
  policy: CompiledPolicy,
  s0: number,
  s1: number,
  s2: number,
  nowMs: number,
  cost: number,
  out: Outcome,
) => void;
