/**
 * Each algorithm against a reference model that states its definition directly, over random
 * request sequences (fast-check), plus the edge cases worth naming.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicies } from '../policy';
import type { Algorithm, CompiledPolicy } from '../policy';
import { ALGORITHM_IMPLS } from './_registry';

interface Request {
  readonly at: number;
  readonly cost: number;
}

/** Runs requests through an algorithm; returns the decisions and each request's retry time. */
function simulate(policy: CompiledPolicy, requests: readonly Request[]) {
  const impl = ALGORITHM_IMPLS[policy.algorithm];
  let state: number[] | undefined;
  return requests.map(({ at, cost }) => {
    const step = impl.step(policy, state, at, cost);
    if (step.result.allowed) state = step.state;
    return { allowed: step.result.allowed, state, result: step.result };
  });
}

/** Request times: sorted offsets from a start time, with bursts (several at one time). */
const requestsArb = (windowMs: number) =>
  fc
    .array(
      fc.record({
        gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: windowMs * 2 })),
        cost: fc.integer({ min: 1, max: 4 }),
      }),
      {
        maxLength: 60,
      },
    )
    .map((items) => {
      let at = 1_764_000_000_000 + 12_345;
      return items.map(({ gap, cost }) => ({ at: (at += gap), cost }));
    });

const policyArb = (algorithm: Algorithm) =>
  fc
    .record({
      limit: fc.integer({ min: 1, max: 12 }),
      windowMs: fc.integer({ min: 10, max: 5_000 }),
    })
    .map(
      ({ limit, windowMs }) => compilePolicies({ algorithm, limit, windowMs })[0] as CompiledPolicy,
    );

/**
 * For random request sequences: a denied request (of a cost the policy can ever allow) is
 * allowed at exactly the retry time it was given, and still denied 2 ms before it.
 */
function checkRetryTimes(algorithm: Algorithm): void {
  fc.assert(
    fc.property(policyArb(algorithm), requestsArb(2_000), (policy, requests) => {
      const impl = ALGORITHM_IMPLS[algorithm];
      const decisions = simulate(policy, requests);
      decisions.forEach((decision, i) => {
        const request = requests[i] as Request;
        if (decision.allowed || request.cost > policy.burst) return;
        const state = i === 0 ? undefined : decisions[i - 1]?.state;
        const retry = decision.result.retryAfterMs;
        expect(impl.step(policy, state, request.at + retry, request.cost).result.allowed).toBe(
          true,
        );
        if (retry > 1) {
          expect(
            impl.step(policy, state, request.at + retry - 2, request.cost).result.allowed,
          ).toBe(false);
        }
      });
    }),
  );
}

describe('fixed window', () => {
  it('matches its definition: a count per window that starts at the first counted request after the last window ended', () => {
    fc.assert(
      fc.property(policyArb('fixed-window'), requestsArb(2_000), (policy, requests) => {
        let start = Number.NEGATIVE_INFINITY;
        let count = 0;
        const expected = requests.map(({ at, cost }) => {
          const current = at < start + policy.windowMs;
          const used = current ? count : 0;
          const allowed = used + cost <= policy.limit;
          if (allowed) {
            start = current ? start : at;
            count = used + cost;
          }
          return allowed;
        });
        expect(simulate(policy, requests).map((d) => d.allowed)).toEqual(expected);
      }),
    );
  });

  it('tells a denied request to come back when the window ends', () => {
    const [policy] = compilePolicies({ algorithm: 'fixed-window', limit: 1, windowMs: 1_000 });
    const [, denied] = simulate(policy!, [
      { at: 10_000, cost: 1 },
      { at: 10_400, cost: 1 },
    ]);
    expect(denied?.result).toMatchObject({
      allowed: false,
      retryAfterMs: 600,
      resetMs: 600,
      remaining: 0,
    });
  });
});

describe('sliding window', () => {
  it('matches its definition: previous aligned window weighted by overlap, plus the current one', () => {
    fc.assert(
      fc.property(policyArb('sliding-window'), requestsArb(2_000), (policy, requests) => {
        const accepted: Request[] = [];
        const w = policy.windowMs;
        const expected = requests.map(({ at, cost }) => {
          const start = Math.floor(at / w) * w;
          const sum = (from: number, to: number) =>
            accepted
              .filter((r) => r.at >= from && r.at < to)
              .reduce((total, r) => total + r.cost, 0);
          const used = sum(start - w, start) * (1 - (at - start) / w) + sum(start, at + 1);
          const allowed = used + cost <= policy.limit + 1e-9;
          if (allowed) accepted.push({ at, cost });
          return allowed;
        });
        expect(simulate(policy, requests).map((d) => d.allowed)).toEqual(expected);
      }),
    );
  });

  it('gives a retry time after which the same request is allowed, and not a millisecond before', () => {
    checkRetryTimes('sliding-window');
  });
});

/**
 * A token bucket that starts full, stated without tokens: a request is allowed when, for
 * every earlier allowed request time s, the units allowed in [s, now] plus this one fit in
 * burst + rate × (now − s).
 */
function tokenBucketReference(policy: CompiledPolicy, requests: readonly Request[]): boolean[] {
  const accepted: Request[] = [];
  const rate = policy.limit / policy.windowMs;
  return requests.map(({ at, cost }) => {
    const starts = [at, ...accepted.map((r) => r.at)];
    const allowed = starts.every((s) => {
      const units = accepted.filter((r) => r.at >= s).reduce((total, r) => total + r.cost, 0);
      return units + cost <= policy.burst + rate * (at - s) + 1e-9;
    });
    if (allowed) accepted.push({ at, cost });
    return allowed;
  });
}

describe.each(['token-bucket', 'gcra'] as const)('%s', (algorithm) => {
  it('matches the token bucket definition (GCRA is its virtual-scheduling form)', () => {
    fc.assert(
      fc.property(policyArb(algorithm), requestsArb(2_000), (policy, requests) => {
        expect(simulate(policy, requests).map((d) => d.allowed)).toEqual(
          tokenBucketReference(policy, requests),
        );
      }),
    );
  });

  it('gives an exact retry time', () => {
    checkRetryTimes(algorithm);
  });

  it('allows a burst after idling, then the steady rate', () => {
    const [policy] = compilePolicies({ algorithm, limit: 10, windowMs: 1_000, burst: 3 });
    const decisions = simulate(
      policy!,
      [0, 0, 0, 0, 100, 200].map((at) => ({ at: 50_000 + at, cost: 1 })),
    );
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false, true, true]);
    expect(decisions[3]?.result.retryAfterMs).toBe(100);
  });
});

describe('refund', () => {
  it.each(['fixed-window', 'sliding-window', 'token-bucket', 'gcra'] as const)(
    '%s: gives back at most what was used, and forgets a state equal to none',
    (algorithm) => {
      const [policy] = compilePolicies({ algorithm, limit: 5, windowMs: 60_000 });
      const impl = ALGORITHM_IMPLS[algorithm];
      const now = 1_764_000_030_000;
      const used = impl.step(policy!, undefined, now, 3).state;
      const partly = impl.refund(policy!, used, now, 1);
      expect(impl.step(policy!, partly, now, 1).result.remaining).toBe(2);
      const whole = impl.refund(policy!, used, now, 10);
      expect(impl.step(policy!, whole, now, 1).result.remaining).toBe(4);
      expect(impl.refund(policy!, undefined, now, 1)).toBeUndefined();
    },
  );
});
