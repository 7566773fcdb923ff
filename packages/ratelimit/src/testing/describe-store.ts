/**
 * `@arm/ratelimit/testing`: the conformance suite every store runs (memory, Redis, Convex,
 * and third-party ones). It drives the store through its contract only, so any store that
 * passes behaves the same under a limiter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePolicies } from '../policy';
import type { Algorithm, CompiledPolicy, PolicyOptions } from '../policy';
import type { RateLimitStore, StoreOperation, StoreResult } from '../store';

/** A store under test, and how to let time pass for it. */
export interface StoreHarness {
  /** The store. */
  readonly store: RateLimitStore;
  /**
   * Lets `ms` milliseconds pass for the store: advance an injected clock, or really wait for
   * stores that take time from elsewhere (Redis).
   */
  advance(ms: number): Promise<void>;
  /** Releases what the harness opened (connections, servers). */
  close?(): Promise<void>;
}

const ALL: readonly Algorithm[] = ['fixed-window', 'sliding-window', 'token-bucket', 'gcra'];

/**
 * Defines the conformance tests of a rate-limit store with vitest's `describe` and `it`.
 *
 * @param name - Names the store in the test report.
 * @param make - Creates the store and its clock; called once for the suite.
 * @example
 * ```ts
 * import { createMemoryStore } from '@arm/ratelimit';
 * import { describeRateLimitStore } from '@arm/ratelimit/testing';
 *
 * let now = Date.now();
 * describeRateLimitStore('memory', () => ({
 *   store: createMemoryStore({ now: () => now }),
 *   advance: async (ms) => { now += ms; },
 * }));
 * ```
 */
export function describeRateLimitStore(
  name: string,
  make: () => StoreHarness | Promise<StoreHarness>,
): void {
  describe(`rate-limit store conformance: ${name}`, () => {
    let harness: StoreHarness;
    const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    let counter = 0;
    const freshKey = () => `conformance:${run}:${counter++}`;
    const apply = (operation: StoreOperation): Promise<StoreResult> =>
      Promise.resolve(harness.store.apply(operation));
    const consume = (key: string, policies: readonly CompiledPolicy[], cost = 1) =>
      apply({ kind: 'consume', namespace: 'conformance', key, policies, cost });
    const allowedCount = (answers: readonly StoreResult[]) =>
      answers.filter((answer) => answer.blockedMs === 0 && answer.policies.every((p) => p.allowed))
        .length;

    beforeAll(async () => {
      harness = await make();
    });
    afterAll(async () => {
      await harness.close?.();
    });

    it.each(ALL)('%s: allows up to the limit, then denies with a retry time', async (algorithm) => {
      const policies = compile({ algorithm, limit: 5, windowMs: 60_000 });
      const key = freshKey();
      const answers: StoreResult[] = [];
      for (let i = 0; i < 7; i++) answers.push(await consume(key, policies));
      expect(answers.map((a) => a.policies[0]?.allowed)).toEqual([
        true,
        true,
        true,
        true,
        true,
        false,
        false,
      ]);
      expect(answers.map((a) => a.policies[0]?.remaining)).toEqual([4, 3, 2, 1, 0, 0, 0]);
      const denied = answers[5]?.policies[0];
      expect(denied?.retryAfterMs).toBeGreaterThan(0);
      // A sliding window may need up to two windows: this one to end, the next to slide.
      expect(denied?.retryAfterMs).toBeLessThanOrEqual(120_000);
      expect(denied?.limit).toBe(5);
      expect(denied?.policy).toBe(policies[0]?.name);
    });

    it.each(ALL)('%s: counts a cost of several units', async (algorithm) => {
      const policies = compile({ algorithm, limit: 10, windowMs: 60_000 });
      const key = freshKey();
      expect((await consume(key, policies, 4)).policies[0]?.remaining).toBe(6);
      expect((await consume(key, policies, 6)).policies[0]?.remaining).toBe(0);
      const denied = await consume(key, policies, 1);
      expect(denied.policies[0]?.allowed).toBe(false);
    });

    it('consumes all policies or none: a request one policy denies costs the others nothing', async () => {
      const policies = compilePolicies([
        { name: 'small', algorithm: 'fixed-window', limit: 2, windowMs: 60_000 },
        { name: 'large', algorithm: 'gcra', limit: 10, windowMs: 60_000 },
      ]);
      const key = freshKey();
      await consume(key, policies);
      await consume(key, policies);
      for (let i = 0; i < 5; i++) {
        const denied = await consume(key, policies);
        expect(denied.policies.map((p) => p.allowed)).toEqual([false, true]);
        expect(denied.policies[1]?.remaining).toBe(8);
      }
      const peek = await apply({ kind: 'peek', namespace: 'conformance', key, policies, cost: 1 });
      expect(peek.policies[1]?.remaining).toBe(8);
    });

    it.each(ALL)('%s: peek tells without counting', async (algorithm) => {
      const policies = compile({ algorithm, limit: 3, windowMs: 60_000 });
      const key = freshKey();
      for (let i = 0; i < 5; i++) {
        const peek = await apply({
          kind: 'peek',
          namespace: 'conformance',
          key,
          policies,
          cost: 1,
        });
        expect(peek.policies[0]).toMatchObject({ allowed: true, remaining: 3 });
      }
      await consume(key, policies, 3);
      const peek = await apply({ kind: 'peek', namespace: 'conformance', key, policies, cost: 1 });
      expect(peek.policies[0]).toMatchObject({ allowed: false, remaining: 0 });
      expect(peek.policies[0]?.retryAfterMs).toBeGreaterThan(0);
    });

    it.each(ALL)('%s: refund gives units back, never beyond the limit', async (algorithm) => {
      const policies = compile({ algorithm, limit: 4, windowMs: 60_000 });
      const key = freshKey();
      await consume(key, policies, 4);
      const refunded = await apply({
        kind: 'refund',
        namespace: 'conformance',
        key,
        policies,
        cost: 2,
      });
      expect(refunded.policies[0]?.remaining).toBe(2);
      expect((await consume(key, policies, 2)).policies[0]?.allowed).toBe(true);
      const over = await apply({
        kind: 'refund',
        namespace: 'conformance',
        key,
        policies,
        cost: 100,
      });
      expect(over.policies[0]?.remaining).toBe(4);
      const untouched = await apply({
        kind: 'refund',
        namespace: 'conformance',
        key: freshKey(),
        policies,
        cost: 1,
      });
      expect(untouched.policies[0]?.remaining).toBe(4);
    });

    it('reset forgets counts and blocks', async () => {
      const policies = compile({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000 });
      const key = freshKey();
      await consume(key, policies);
      await apply({ kind: 'block', namespace: 'conformance', key, policies, durationMs: 60_000 });
      expect((await consume(key, policies)).policies[0]?.allowed).toBe(false);
      await apply({ kind: 'reset', namespace: 'conformance', key, policies });
      const after = await consume(key, policies);
      expect(after.blockedMs).toBe(0);
      expect(after.policies[0]?.allowed).toBe(true);
    });

    it('block denies whatever the counts until it ends, and keeps the longer of two blocks', async () => {
      const policies = compile({ algorithm: 'gcra', limit: 100, windowMs: 60_000 });
      const key = freshKey();
      const blocked = await apply({
        kind: 'block',
        namespace: 'conformance',
        key,
        policies,
        durationMs: 300,
      });
      expect(blocked.blockedMs).toBeGreaterThan(0);
      expect(blocked.blockedMs).toBeLessThanOrEqual(300);
      const shorter = await apply({
        kind: 'block',
        namespace: 'conformance',
        key,
        policies,
        durationMs: 10,
      });
      expect(shorter.blockedMs).toBeGreaterThan(10);
      const denied = await consume(key, policies);
      expect(denied.blockedMs).toBeGreaterThan(0);
      expect(denied.policies[0]?.remaining).toBe(100);
      await harness.advance(400);
      const allowed = await consume(key, policies);
      expect(allowed.blockedMs).toBe(0);
      expect(allowed.policies[0]?.allowed).toBe(true);
    });

    it('keeps keys apart', async () => {
      const policies = compile({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000 });
      const a = freshKey();
      const b = freshKey();
      await consume(a, policies);
      expect((await consume(a, policies)).policies[0]?.allowed).toBe(false);
      expect((await consume(b, policies)).policies[0]?.allowed).toBe(true);
    });

    it.each(ALL)('%s: allows exactly the limit under concurrent consumes', async (algorithm) => {
      const policies = compile({ algorithm, limit: 25, windowMs: 60_000 });
      const key = freshKey();
      const answers = await Promise.all(Array.from({ length: 60 }, () => consume(key, policies)));
      expect(allowedCount(answers)).toBe(25);
    });

    it.each(ALL)('%s: allows again once time has passed', async (algorithm) => {
      const policies = compile({ algorithm, limit: 2, windowMs: 300 });
      const key = freshKey();
      await consume(key, policies, 2);
      const denied = await consume(key, policies);
      expect(denied.policies[0]?.allowed).toBe(false);
      await harness.advance(Math.max(700, (denied.policies[0]?.retryAfterMs ?? 0) + 100));
      expect((await consume(key, policies)).policies[0]?.allowed).toBe(true);
    });
  });
}

function compile(policy: PolicyOptions): readonly CompiledPolicy[] {
  return compilePolicies(policy);
}
