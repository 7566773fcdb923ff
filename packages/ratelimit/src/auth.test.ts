import { BadRequestError, ConfigurationError } from '@arm/errors';
import { describe, expect, it } from 'vitest';
import { createAuthLimiter } from './auth';
import { createMemoryStore } from './stores/memory';

function setup() {
  let now = 1_764_000_000_000;
  const clock = () => now;
  const auth = createAuthLimiter({
    store: createMemoryStore({ now: clock }),
    limiter: { now: clock },
  });
  return { auth, advance: (ms: number) => (now += ms) };
}

const alice = { username: 'Alice@Example.com', ip: '203.0.113.1' };

describe('auth limiter', () => {
  it('counts failures only: successful sign-ins never use the budget', async () => {
    const { auth } = setup();
    for (let i = 0; i < 50; i++) {
      expect((await auth.check(alice)).allowed).toBe(true);
      await auth.succeed(alice);
    }
    expect((await auth.check(alice)).user.remaining).toBe(5);
  });

  it('allows five failures per username and IP, then blocks for 15 minutes', async () => {
    const { auth, advance } = setup();
    for (let i = 0; i < 5; i++) expect((await auth.fail(alice)).allowed).toBe(true);
    const sixth = await auth.fail(alice);
    expect(sixth.allowed).toBe(false);
    expect(sixth.retryAfterMs).toBe(15 * 60_000);
    expect((await auth.check(alice)).allowed).toBe(false);
    advance(15 * 60_000 + 1);
    expect((await auth.check(alice)).allowed).toBe(true);
  });

  it('matches usernames case-insensitively and after Unicode normalisation', async () => {
    const { auth } = setup();
    for (let i = 0; i < 5; i++) await auth.fail({ username: ' ALICE@example.com', ip: alice.ip });
    expect((await auth.check({ username: 'alice@example.com', ip: alice.ip })).user.remaining).toBe(
      0,
    );
    expect(
      (await auth.check({ username: 'ａlice@example.com', ip: alice.ip })).user.remaining,
    ).toBe(0);
  });

  it('doubles the block on every repeat, up to the longest block', async () => {
    let now = 1_764_000_000_000;
    const clock = () => now;
    const auth = createAuthLimiter({
      store: createMemoryStore({ now: clock }),
      limiter: { now: clock },
      blockMs: 60_000,
      maxBlockMs: 8 * 60_000,
    });
    const blocks: number[] = [];
    for (let round = 0; round < 6; round++) {
      let decision = await auth.fail(alice);
      while (decision.allowed) decision = await auth.fail(alice);
      blocks.push(decision.retryAfterMs / 60_000);
      now += decision.retryAfterMs + 1;
    }
    expect(blocks).toEqual([1, 2, 4, 8, 8, 8]);
  });

  it('forgives one repeat per quiet day', async () => {
    const { auth, advance } = setup();
    const blockAfterFailures = async () => {
      let decision = await auth.fail(alice);
      while (decision.allowed) decision = await auth.fail(alice);
      advance(decision.retryAfterMs + 1);
      return decision.retryAfterMs / 60_000;
    };
    expect(await blockAfterFailures()).toBe(15);
    expect(await blockAfterFailures()).toBe(30);
    advance(2 * 24 * 60 * 60_000);
    expect(await blockAfterFailures()).toBe(15);
  });

  it('keeps one attacker from locking a user out everywhere: the block is per username and IP', async () => {
    const { auth } = setup();
    for (let i = 0; i < 6; i++) await auth.fail({ ...alice, ip: '198.51.100.66' });
    expect((await auth.check({ ...alice, ip: '198.51.100.66' })).allowed).toBe(false);
    expect((await auth.check(alice)).allowed).toBe(true);
  });

  it('limits one IP trying many usernames to 100 failures a day', async () => {
    const { auth } = setup();
    for (let i = 0; i < 100; i++) await auth.fail({ username: `user${i}`, ip: '198.51.100.9' });
    const next = await auth.check({ username: 'someone-new', ip: '198.51.100.9' });
    expect(next.allowed).toBe(false);
    expect(next.ip.allowed).toBe(false);
    expect(next.user.allowed).toBe(true);
  });

  it('starts a user from zero after a successful sign-in', async () => {
    const { auth } = setup();
    for (let i = 0; i < 4; i++) await auth.fail(alice);
    await auth.succeed(alice);
    expect((await auth.check(alice)).user.remaining).toBe(5);
  });

  it('rejects unusable usernames and bad settings', async () => {
    const { auth } = setup();
    await expect(auth.check({ username: '', ip: '1.2.3.4' })).rejects.toBeInstanceOf(
      BadRequestError,
    );
    await expect(auth.fail({ username: 'x'.repeat(257), ip: '1.2.3.4' })).rejects.toBeInstanceOf(
      BadRequestError,
    );
    expect(() => createAuthLimiter({ blockMs: 0 })).toThrow(ConfigurationError);
    expect(() => createAuthLimiter({ blockMs: 10, maxBlockMs: 5 })).toThrow(
      /blockMs <= maxBlockMs/,
    );
  });
});
