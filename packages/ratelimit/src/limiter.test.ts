import { AbortedError, BadRequestError, ConfigurationError } from '@arm/errors';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { createRateLimiter } from './limiter';
import type { LocalRateLimiter, RateLimiter, RateLimitHooks } from './limiter';
import type { RateLimitStore, StoreOperation, StoreResult } from './store';
import { createMemoryStore } from './stores/memory';

/** A store in front of a memory store that can be made to fail or hang, as Redis can. */
function troubledStore(now: () => number) {
  const inner = createMemoryStore({ now });
  let mode: 'ok' | 'fail' | 'hang' = 'ok';
  const calls: StoreOperation[] = [];
  const store: RateLimitStore = {
    name: 'troubled',
    apply(operation): Promise<StoreResult> {
      calls.push(operation);
      if (mode === 'fail') return Promise.reject(new Error('connection lost'));
      if (mode === 'hang') return new Promise(() => undefined);
      return Promise.resolve(inner.apply(operation));
    },
  };
  return { store, calls, set: (next: typeof mode) => (mode = next) };
}

describe('createRateLimiter', () => {
  it('counts per key and policy, and answers with the binding policy', async () => {
    const limiter = createRateLimiter({
      policies: [
        { name: 'burst', algorithm: 'token-bucket', limit: 10, windowMs: 1_000, burst: 3 },
        { name: 'daily', algorithm: 'fixed-window', limit: 5, windowMs: 86_400_000 },
      ],
    });
    const first = await limiter.consume('user:1');
    expect(first).toMatchObject({
      allowed: true,
      policy: 'burst',
      remaining: 2,
      source: 'store',
      violated: [],
    });
    expect(first.policies.map((p) => p.remaining)).toEqual([2, 4]);
    await limiter.consume('user:1');
    await limiter.consume('user:1');
    const denied = await limiter.consume('user:1');
    expect(denied).toMatchObject({ allowed: false, policy: 'burst', violated: ['burst'] });
    expect(denied.policies[1]?.remaining).toBe(2);
    expect((await limiter.consume('user:2')).allowed).toBe(true);
  });

  it('makes a daily quota the binding policy once it is the one that runs out', async () => {
    let now = 1_764_000_000_000;
    const limiter = createRateLimiter({
      now: () => now,
      policies: [
        { name: 'burst', limit: 10, windowMs: 1_000 },
        { name: 'daily', algorithm: 'fixed-window', limit: 3, windowMs: 86_400_000 },
      ],
    });
    for (let i = 0; i < 3; i++) {
      now += 1_000;
      await limiter.consume('k');
    }
    now += 1_000;
    const denied = await limiter.consume('k');
    expect(denied).toMatchObject({ allowed: false, policy: 'daily', violated: ['daily'] });
    expect(denied.retryAfterMs).toBeGreaterThan(80_000_000);
  });

  it('takes a tier preset, and lets policies or failure override it', () => {
    const strict = createRateLimiter({ tier: 'strict' });
    expect(strict.policies).toMatchObject([
      { name: 'strict', limit: 10, algorithm: 'sliding-window' },
    ]);
    const custom = createRateLimiter({ tier: 'api', policies: { limit: 1, windowMs: 1_000 } });
    expect(custom.policies).toHaveLength(1);
    const api = createRateLimiter({ tier: 'api' });
    expect(api.policies.map((p) => p.name)).toEqual(['per-second', 'daily']);
  });

  it('peeks without counting, refunds, blocks and resets', async () => {
    const limiter = createRateLimiter({
      policies: { algorithm: 'fixed-window', limit: 2, windowMs: 60_000 },
    });
    expect(await limiter.peek('k')).toMatchObject({ allowed: true, remaining: 2 });
    await limiter.consume('k', { cost: 2 });
    expect(await limiter.peek('k')).toMatchObject({ allowed: false, remaining: 0 });
    expect(await limiter.refund('k')).toMatchObject({ remaining: 1 });
    const blocked = await limiter.block('k', 30_000);
    expect(blocked).toMatchObject({ allowed: false, blocked: true });
    expect(blocked.retryAfterMs).toBeGreaterThanOrEqual(29_000);
    expect(await limiter.consume('k')).toMatchObject({ allowed: false, blocked: true });
    await limiter.reset('k');
    expect(await limiter.consume('k')).toMatchObject({
      allowed: true,
      remaining: 1,
      blocked: false,
    });
  });

  it('shares a store between limiters without mixing their keys', async () => {
    const store = createMemoryStore();
    const a = createRateLimiter({ name: 'a', store, policies: { limit: 1, windowMs: 60_000 } });
    const b = createRateLimiter({ name: 'b', store, policies: { limit: 1, windowMs: 60_000 } });
    await a.consume('same');
    expect((await b.consume('same')).allowed).toBe(true);
    expect(store.size).toBe(2);
  });

  it('rejects bad keys and costs with a 400, before touching the store', async () => {
    const limiter = createRateLimiter({ policies: { limit: 1, windowMs: 1_000 } });
    await expect(limiter.consume('')).rejects.toBeInstanceOf(BadRequestError);
    await expect(limiter.consume('x'.repeat(1025))).rejects.toThrow(/at most 1024 characters/);
    await expect(limiter.consume('k', { cost: 0 })).rejects.toThrow(
      /cost must be a positive integer, got 0/,
    );
    await expect(limiter.consume('k', { cost: 1.5 })).rejects.toBeInstanceOf(BadRequestError);
    await expect(limiter.block('k', -1)).rejects.toThrow(/block duration/);
    await expect(limiter.reset('')).rejects.toBeInstanceOf(BadRequestError);
  });

  it.each([
    [{ policies: [] }, /option "policies" must be one to eight policies/],
    [{}, /option "policies" must be a policy or a list of policies/],
    [
      { policies: { limit: 0, windowMs: 1_000 } },
      /option "limit" must be a positive integer, got 0/,
    ],
    [{ policies: { limit: 1, windowMs: 0 } }, /option "windowMs"/],
    [
      { policies: { limit: 1, windowMs: 1_000, algorithm: 'leaky' } },
      /option "algorithm" must be fixed-window, sliding-window, token-bucket, gcra/,
    ],
    [{ policies: { limit: 1, windowMs: 1_000, burst: 0 } }, /option "burst"/],
    [
      { policies: { limit: 1, windowMs: 1_000, burst: 5, algorithm: 'fixed-window' } },
      /no value for window algorithms/,
    ],
    [
      {
        policies: [
          { name: 'a', limit: 1, windowMs: 1 },
          { name: 'a', limit: 2, windowMs: 1 },
        ],
      },
      /policies\[1\]\.name/,
    ],
    [{ policies: { name: 'has space', limit: 1, windowMs: 1 } }, /option "name"/],
    [{ tier: 'auth' }, /option "tier"/],
    [{ tier: 'nope' }, /option "tier"/],
    [{ tier: 'strict', name: 'bad name' }, /option "name"/],
    [{ tier: 'strict', failure: 'maybe' }, /option "failure" must be open, closed or fallback/],
    [{ tier: 'strict', timeoutMs: 0 }, /option "timeoutMs"/],
    [{ tier: 'strict', fallback: { instances: 0 } }, /option "fallback.instances"/],
    [{ tier: 'strict', fallback: { probeIntervalMs: -1 } }, /option "fallback.probeIntervalMs"/],
  ])('fails at start-up on %j', (options, message) => {
    expect(() => createRateLimiter(options as never)).toThrow(ConfigurationError);
    expect(() => createRateLimiter(options as never)).toThrow(message);
  });

  it('names its policies by default from limit and window', () => {
    const limiter = createRateLimiter({
      policies: [
        { limit: 100, windowMs: 60_000 },
        { limit: 5, windowMs: 1_500 },
      ],
    });
    expect(limiter.policies.map((p) => p.name)).toEqual(['100-per-60s', '5-per-1_5s']);
  });
});

describe('synchronous decisions over a memory store', () => {
  it('decides as the promise methods do, on the same counts', async () => {
    let time = 1_000_000;
    const decisions: boolean[] = [];
    const limiter = createRateLimiter({
      policies: { algorithm: 'fixed-window', limit: 3, windowMs: 1_000 },
      now: () => time,
      hooks: { decision: ({ result }) => decisions.push(result.allowed) },
    });
    expect(limiter.consumeSync('a')).toMatchObject({ allowed: true, remaining: 2 });
    expect(await limiter.consume('a')).toMatchObject({ allowed: true, remaining: 1 });
    expect(limiter.peekSync('a', { cost: 2 })).toMatchObject({ allowed: false, remaining: 1 });
    expect(limiter.consumeSync('a', { cost: 2 })).toMatchObject({ allowed: false, remaining: 1 });
    expect(limiter.refundSync('a')).toMatchObject({ remaining: 2 });
    expect(limiter.consumeSync('a', { cost: 2 })).toMatchObject({ allowed: true, remaining: 0 });
    expect(decisions).toEqual([true, true, false, true]);
    time += 1_000;
    expect(limiter.consumeSync('a')).toMatchObject({ allowed: true, remaining: 2 });
  });

  it('works on a memory store passed in, shared with promise limiters', async () => {
    const store = createMemoryStore();
    const local = createRateLimiter({
      name: 'shared',
      policies: { limit: 2, windowMs: 60_000 },
      store,
    });
    const other = createRateLimiter({
      name: 'shared',
      policies: { limit: 2, windowMs: 60_000 },
      store,
    });
    expect(local.consumeSync('k').remaining).toBe(1);
    expect((await other.consume('k')).remaining).toBe(0);
    expect(local.consumeSync('k').allowed).toBe(false);
  });

  it('throws bad keys and costs synchronously, before touching the store', () => {
    const limiter = createRateLimiter({ policies: { limit: 1, windowMs: 1_000 } });
    expect(() => limiter.consumeSync('')).toThrow(BadRequestError);
    expect(() => limiter.consumeSync('k', { cost: 0 })).toThrow(BadRequestError);
    expect(() => limiter.refundSync('k', 1.5)).toThrow(BadRequestError);
    expect(limiter.peekSync('k').remaining).toBe(1);
  });

  it('falls back when the memory store fails, as the promise methods do', async () => {
    let broken = true;
    const events: string[] = [];
    const store = createMemoryStore({
      now: () => {
        if (broken) throw new Error('clock');
        return 1_000;
      },
    });
    let time = 0;
    const limiter = createRateLimiter({
      policies: { limit: 5, windowMs: 60_000 },
      store,
      now: () => time,
      hooks: {
        storeError: () => events.push('storeError'),
        fallbackStart: () => events.push('fallbackStart'),
        fallbackEnd: () => events.push('fallbackEnd'),
      },
    });
    expect(limiter.consumeSync('k')).toMatchObject({ source: 'fallback', remaining: 4 });
    expect(await limiter.consume('k')).toMatchObject({ source: 'fallback', remaining: 3 });
    broken = false;
    time += 1_000;
    expect(limiter.consumeSync('k')).toMatchObject({ source: 'store', remaining: 4 });
    expect(events).toEqual(['storeError', 'fallbackStart', 'fallbackEnd']);
  });

  it('is typed as local only over a memory store', () => {
    expectTypeOf(createRateLimiter({ tier: 'strict' })).toEqualTypeOf<LocalRateLimiter>();
    const memory = createRateLimiter({ tier: 'strict', store: createMemoryStore() });
    expectTypeOf(memory).toEqualTypeOf<LocalRateLimiter>();
    const { store } = troubledStore(() => 0);
    expectTypeOf(createRateLimiter({ tier: 'strict', store })).toEqualTypeOf<RateLimiter>();
  });

  it('refuses, without calling it, a store that answers with promises', () => {
    const { store, calls } = troubledStore(() => 0);
    const limiter = createRateLimiter({ policies: { limit: 1, windowMs: 1_000 }, store });
    const untyped = limiter as unknown as { consumeSync(key: string): unknown };
    expect(() => untyped.consumeSync('k')).toThrow(ConfigurationError);
    expect(() => untyped.consumeSync('k')).toThrow(
      /consumeSync needs a memory store .*"troubled": call consume instead/,
    );
    expect(calls).toHaveLength(0);
  });
});

describe('store trouble', () => {
  it('fails open: allows without counting and reports the error', async () => {
    const { store, set } = troubledStore(Date.now);
    const errors: string[] = [];
    const limiter = createRateLimiter({
      store,
      failure: 'open',
      policies: { limit: 1, windowMs: 1_000 },
      hooks: { storeError: ({ key, mode }) => errors.push(`${key}:${mode}`) },
    });
    set('fail');
    expect(await limiter.consume('k')).toMatchObject({ allowed: true, source: 'fail-open' });
    expect(errors).toEqual(['k:open']);
  });

  it('fails closed: denies and says when to retry', async () => {
    const { store, set } = troubledStore(Date.now);
    const limiter = createRateLimiter({
      store,
      failure: 'closed',
      policies: { limit: 5, windowMs: 10_000 },
    });
    set('fail');
    expect(await limiter.consume('k')).toMatchObject({
      allowed: false,
      source: 'fail-closed',
      retryAfterMs: 1_000,
      remaining: 0,
    });
  });

  it('times out a hanging store and applies the failure mode', async () => {
    vi.useFakeTimers();
    try {
      const { store, set } = troubledStore(Date.now);
      const limiter = createRateLimiter({
        store,
        failure: 'closed',
        timeoutMs: 100,
        policies: { limit: 5, windowMs: 10_000 },
      });
      set('hang');
      const pending = limiter.consume('k');
      await vi.advanceTimersByTimeAsync(100);
      expect(await pending).toMatchObject({ allowed: false, source: 'fail-closed' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('falls back to a memory limiter scaled to the fleet, probes, and returns to the store', async () => {
    let now = 1_764_000_000_000;
    const { store, set, calls } = troubledStore(() => now);
    const events: string[] = [];
    const hooks: Partial<RateLimitHooks> = {
      fallbackStart: ({ store: name }) => events.push(`start:${name}`),
      fallbackEnd: ({ durationMs }) => events.push(`end:${durationMs}`),
    };
    const limiter = createRateLimiter({
      store,
      now: () => now,
      policies: { algorithm: 'fixed-window', limit: 10, windowMs: 60_000 },
      fallback: { instances: 4, probeIntervalMs: 1_000 },
      hooks,
    });
    set('fail');
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await limiter.consume('k'));
    // 10 per window over 4 instances: 2 each while the store is down.
    expect(results.map((r) => [r.allowed, r.source])).toEqual([
      [true, 'fallback'],
      [true, 'fallback'],
      [false, 'fallback'],
      [false, 'fallback'],
    ]);
    expect(results[0]?.limit).toBe(2);
    // Only the first call tried the store; the others waited for the probe time.
    expect(calls).toHaveLength(1);
    now += 1_000;
    await limiter.consume('k');
    expect(calls).toHaveLength(2);
    set('ok');
    now += 1_000;
    expect(await limiter.consume('k')).toMatchObject({ source: 'store', allowed: true, limit: 10 });
    expect(events).toEqual(['start:troubled', 'end:2000']);
  });

  it('rejects with an AbortedError when the signal aborts, before or during the call', async () => {
    const { store, set } = troubledStore(Date.now);
    const limiter = createRateLimiter({
      store,
      timeoutMs: 10_000,
      policies: { limit: 5, windowMs: 10_000 },
    });
    await expect(limiter.consume('k', { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      AbortedError,
    );
    set('hang');
    const controller = new AbortController();
    const pending = limiter.consume('k', { signal: controller.signal });
    controller.abort(new Error('client went away'));
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
  });

  it('survives hooks that throw', async () => {
    const { store, set } = troubledStore(Date.now);
    const boom = () => {
      throw new Error('hook failed');
    };
    const limiter = createRateLimiter({
      store,
      policies: { limit: 5, windowMs: 10_000 },
      hooks: { decision: boom, storeError: boom, fallbackStart: boom, fallbackEnd: boom },
    });
    expect((await limiter.consume('k')).allowed).toBe(true);
    set('fail');
    expect((await limiter.consume('k')).source).toBe('fallback');
  });

  it('reports every decision', async () => {
    const decision = vi.fn();
    const limiter = createRateLimiter({
      policies: { limit: 1, windowMs: 10_000 },
      hooks: { decision },
    });
    await limiter.consume('k', { cost: 1 });
    expect(decision).toHaveBeenCalledWith(
      expect.objectContaining({
        key: 'k',
        cost: 1,
        result: expect.objectContaining({ allowed: true }),
      }),
    );
  });

  it('lets a store that answers synchronously skip the timer', async () => {
    const limiter = createRateLimiter({ policies: { limit: 1, windowMs: 10_000 }, timeoutMs: 1 });
    expect((await limiter.consume('k')).source).toBe('store');
  });

  it('turns a non-Error rejection of a store into an error for the hooks', async () => {
    const errors: unknown[] = [];
    const store: RateLimitStore = { name: 'odd', apply: () => Promise.reject(new Error('x')) };
    const odd: RateLimitStore = {
      name: 'odd',
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what a careless store does
      apply: () => Promise.reject('plain string'),
    };
    for (const s of [store, odd]) {
      const limiter = createRateLimiter({
        store: s,
        failure: 'open',
        policies: { limit: 1, windowMs: 1 },
        hooks: { storeError: ({ error }) => errors.push(error) },
      });
      await limiter.consume('k');
    }
    expect(errors.every((e) => e instanceof Error)).toBe(true);
  });
});
