import { ConfigurationError } from '@arm/errors';
import { describe, expect, it, vi } from 'vitest';
import { compilePolicies } from '../policy';
import { createMemoryStore } from './memory';

const minute = compilePolicies({ algorithm: 'fixed-window', limit: 3, windowMs: 60_000 });

describe('memory store', () => {
  it('never evicts a live key: a flood of new keys cannot reset a count inside its window', () => {
    let now = 1_764_000_000_000;
    const full = vi.fn();
    const store = createMemoryStore({ maxKeys: 100, now: () => now, hooks: { full } });
    store.apply({
      kind: 'consume',
      namespace: 'conformance',
      key: 'victim',
      policies: minute,
      cost: 3,
    });
    for (let i = 0; i < 10_000; i++) {
      now += 1;
      store.apply({
        kind: 'consume',
        namespace: 'conformance',
        key: `flood:${i}`,
        policies: minute,
        cost: 1,
      });
    }
    expect(store.size).toBe(100);
    const victim = store.apply({
      kind: 'consume',
      namespace: 'conformance',
      key: 'victim',
      policies: minute,
      cost: 1,
    });
    expect(victim.policies[0]).toMatchObject({ allowed: false, remaining: 0 });
    expect(full).toHaveBeenCalledWith(expect.objectContaining({ decision: 'deny', size: 100 }));
  });

  it('denies new keys when full (by default) and says when to come back', () => {
    const store = createMemoryStore({ maxKeys: 1, fullRetryAfterMs: 2_500 });
    store.apply({ kind: 'consume', namespace: 'conformance', key: 'a', policies: minute, cost: 1 });
    const refused = store.apply({
      kind: 'consume',
      namespace: 'conformance',
      key: 'b',
      policies: minute,
      cost: 1,
    });
    expect(refused.policies[0]).toMatchObject({
      allowed: false,
      retryAfterMs: 2_500,
      remaining: 0,
    });
    const blockRefused = store.apply({
      kind: 'block',
      namespace: 'conformance',
      key: 'c',
      policies: minute,
      durationMs: 100,
    });
    expect(blockRefused.policies[0]?.allowed).toBe(false);
  });

  it('allows new keys uncounted when full, if told to', () => {
    const store = createMemoryStore({
      maxKeys: 1,
      whenFull: 'allow',
      hooks: {
        full: () => {
          throw new Error('hook');
        },
      },
    });
    store.apply({ kind: 'consume', namespace: 'conformance', key: 'a', policies: minute, cost: 1 });
    for (let i = 0; i < 5; i++) {
      expect(
        store.apply({
          kind: 'consume',
          namespace: 'conformance',
          key: 'b',
          policies: minute,
          cost: 1,
        }).policies[0]?.allowed,
      ).toBe(true);
    }
    expect(store.size).toBe(1);
  });

  it('sweeps expired keys as new ones arrive, with no timer, and reuses their room', () => {
    let now = 1_764_000_000_000;
    const store = createMemoryStore({ maxKeys: 1_000, now: () => now });
    for (let i = 0; i < 1_000; i++)
      store.apply({
        kind: 'consume',
        namespace: 'conformance',
        key: `old:${i}`,
        policies: minute,
        cost: 1,
      });
    expect(store.size).toBe(1_000);
    now += 61_000;
    for (let i = 0; i < 1_000; i++) {
      expect(
        store.apply({
          kind: 'consume',
          namespace: 'conformance',
          key: `new:${i}`,
          policies: minute,
          cost: 1,
        }).policies[0]?.allowed,
      ).toBe(true);
    }
    expect(store.size).toBeLessThanOrEqual(1_000);
  });

  it('treats an expired key as new without waiting for the sweep', () => {
    let now = 1_764_000_000_000;
    const store = createMemoryStore({ now: () => now });
    store.apply({ kind: 'consume', namespace: 'conformance', key: 'k', policies: minute, cost: 3 });
    now += 60_000;
    expect(
      store.apply({
        kind: 'consume',
        namespace: 'conformance',
        key: 'k',
        policies: minute,
        cost: 1,
      }).policies[0]?.remaining,
    ).toBe(2);
    expect(store.size).toBe(1);
  });

  it('keeps records of different sizes apart and grows past its first allocation', () => {
    const store = createMemoryStore();
    const two = compilePolicies([
      { name: 'a', limit: 5, windowMs: 1_000 },
      { name: 'b', algorithm: 'sliding-window', limit: 9, windowMs: 1_000 },
    ]);
    for (let i = 0; i < 600; i++) {
      store.apply({
        kind: 'consume',
        namespace: 'conformance',
        key: `one:${i}`,
        policies: minute,
        cost: 1,
      });
      store.apply({
        kind: 'consume',
        namespace: 'conformance',
        key: `two:${i}`,
        policies: two,
        cost: 1,
      });
    }
    expect(store.size).toBe(1_200);
    expect(
      store
        .apply({ kind: 'peek', namespace: 'conformance', key: 'two:599', policies: two, cost: 1 })
        .policies.map((p) => p.remaining),
    ).toEqual([4, 8]);
    expect(
      store.apply({
        kind: 'peek',
        namespace: 'conformance',
        key: 'one:0',
        policies: minute,
        cost: 1,
      }).policies[0]?.remaining,
    ).toBe(2);
  });

  it('forgets a key on reset, and a block keeps the key alive until it ends', () => {
    let now = 1_764_000_000_000;
    const store = createMemoryStore({ now: () => now });
    store.apply({
      kind: 'block',
      namespace: 'conformance',
      key: 'k',
      policies: minute,
      durationMs: 120_000,
    });
    now += 90_000;
    expect(
      store.apply({
        kind: 'consume',
        namespace: 'conformance',
        key: 'k',
        policies: minute,
        cost: 1,
      }).blockedMs,
    ).toBe(30_000);
    store.apply({ kind: 'reset', namespace: 'conformance', key: 'k', policies: minute });
    expect(store.size).toBe(0);
    expect(
      store.apply({ kind: 'reset', namespace: 'conformance', key: 'never', policies: minute })
        .policies,
    ).toEqual([]);
  });

  it.each([
    [{ maxKeys: 0 }, /option "maxKeys" must be a positive integer/],
    [{ maxKeys: 1.5 }, /option "maxKeys"/],
    [{ whenFull: 'evict' }, /option "whenFull" must be "deny" or "allow"/],
  ])('fails at start-up on %j', (options, message) => {
    expect(() => createMemoryStore(options as never)).toThrow(ConfigurationError);
    expect(() => createMemoryStore(options as never)).toThrow(message);
  });
});
