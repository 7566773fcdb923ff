/**
 * The auth tier: limits failed sign-in attempts, not sign-ins. Failures count per username and
 * IP (so one attacker cannot lock a user out from everywhere) and per IP alone (so one IP
 * cannot try many usernames); every time the per-user limit is hit again, the block doubles.
 */
import { BadRequestError, ConfigurationError } from '@arm/errors';
import { createRateLimiter } from './limiter';
import type { RateLimiter, RateLimiterOptions } from './limiter';
import type { PolicyOptions } from './policy';
import type { RateLimitResult } from './result';
import type { RateLimitStore } from './store';
import { TIERS } from './tiers';

/** Who is signing in. */
export interface AuthIdentity {
  /** The username or email as typed; compared case-insensitively after Unicode normalisation. */
  readonly username: string;
  /** The client's IP, from `clientKey` or `clientIp`. */
  readonly ip: string;
}

/** Options of {@link createAuthLimiter}. */
export interface AuthLimiterOptions {
  /**
   * Where counts live; share it with every instance of the service.
   * @defaultValue a memory store of its own
   */
  readonly store?: RateLimitStore;
  /**
   * Namespaces the auth tier's keys.
   * @defaultValue `'auth'`
   */
  readonly name?: string;
  /**
   * The first block after the per-user limit is hit, in milliseconds. Each repeat doubles
   * it; every quiet day forgives one repeat.
   * @defaultValue `900_000` (15 minutes)
   */
  readonly blockMs?: number;
  /**
   * The longest block, in milliseconds.
   * @defaultValue `86_400_000` (24 hours)
   */
  readonly maxBlockMs?: number;
  /** Passed to the underlying limiters: timeout, clock and hooks. Failure mode: closed. */
  readonly limiter?: Pick<RateLimiterOptions, 'timeoutMs' | 'now' | 'hooks' | 'failure'>;
}

/** The answer for a sign-in attempt. */
export interface AuthDecision {
  /** Whether the attempt may proceed. */
  readonly allowed: boolean;
  /** Milliseconds until it may, when not allowed. */
  readonly retryAfterMs: number;
  /** The per-username-and-IP figures. */
  readonly user: RateLimitResult;
  /** The per-IP figures. */
  readonly ip: RateLimitResult;
}

/** A limiter of failed sign-ins. */
export interface AuthLimiter {
  /** May this attempt proceed? Counts nothing; call it before checking the password. */
  check(identity: AuthIdentity): Promise<AuthDecision>;
  /** Records a failed attempt, and blocks the username and IP when it was one too many. */
  fail(identity: AuthIdentity): Promise<AuthDecision>;
  /** Records a success: the username and IP start again from zero. */
  succeed(identity: AuthIdentity): Promise<void>;
}

const MAX_USERNAME = 256;
const STRIKES = 32;

/**
 * Creates the auth tier's limiter of failed sign-in attempts.
 *
 * @param options - Store, block durations and limiter options.
 * @returns `check`, `fail` and `succeed`.
 * @throws `ConfigurationError` for bad block durations.
 * @example
 * ```ts
 * const auth = createAuthLimiter({ store });
 * const identity = { username: body.email, ip: clientKey(request) };
 * const gate = await auth.check(identity);
 * if (!gate.allowed) throw toRateLimitError(gate.user.allowed ? gate.ip : gate.user);
 * if (await passwordMatches(body)) await auth.succeed(identity);
 * else await auth.fail(identity);
 * ```
 */
export function createAuthLimiter(options: AuthLimiterOptions = {}): AuthLimiter {
  const { name = 'auth', blockMs = 15 * 60_000, maxBlockMs = 24 * 60 * 60_000 } = options;
  const [userPolicy, ipPolicy] = TIERS.auth.policies;
  const shared = {
    failure: TIERS.auth.failure,
    ...options.limiter,
    ...(options.store && { store: options.store }),
  };
  const perUser = createRateLimiter({
    ...shared,
    name: `${name}-user`,
    policies: userPolicy as PolicyOptions,
  });
  const perIp = createRateLimiter({
    ...shared,
    name: `${name}-ip`,
    policies: ipPolicy as PolicyOptions,
  });
  const strikes: RateLimiter = createRateLimiter({
    ...shared,
    name: `${name}-strikes`,
    // Each strike puts the key a day further ahead; a quiet day forgives one strike.
    policies: {
      name: 'strikes',
      algorithm: 'gcra',
      limit: 1,
      windowMs: 24 * 60 * 60_000,
      burst: STRIKES,
    },
  });
  if (!(blockMs > 0) || !(maxBlockMs >= blockMs)) {
    throw new ConfigurationError(
      `[@arm/ratelimit] options "blockMs" and "maxBlockMs" must be positive milliseconds with blockMs <= maxBlockMs, got ${String(blockMs)} and ${String(maxBlockMs)}`,
    );
  }

  const decision = (user: RateLimitResult, ip: RateLimitResult): AuthDecision => ({
    allowed: user.allowed && ip.allowed,
    retryAfterMs: Math.max(user.retryAfterMs, ip.retryAfterMs),
    user,
    ip,
  });

  return {
    async check(identity) {
      const [user, ip] = await Promise.all([
        perUser.peek(userKey(identity)),
        perIp.peek(identity.ip),
      ]);
      return decision(user, ip);
    },
    async fail(identity) {
      const key = userKey(identity);
      const [user, ip] = await Promise.all([perUser.consume(key), perIp.consume(identity.ip)]);
      if (user.allowed || user.blocked) return decision(user, ip);
      const strike = await strikes.consume(key);
      const count = STRIKES - strike.remaining;
      const duration = Math.min(maxBlockMs, blockMs * 2 ** Math.max(0, count - 1));
      // The block is the penalty: when it ends, the user starts a fresh window.
      await perUser.reset(key);
      return decision(await perUser.block(key, duration), ip);
    },
    async succeed(identity) {
      const key = userKey(identity);
      await Promise.all([perUser.reset(key), strikes.reset(key)]);
    },
  };
}

function userKey({ username, ip }: AuthIdentity): string {
  if (typeof username !== 'string' || username.length === 0 || username.length > MAX_USERNAME) {
    throw new BadRequestError(
      `[@arm/ratelimit] a username must be a non-empty string of at most ${MAX_USERNAME} characters`,
    );
  }
  return `${username.normalize('NFKC').trim().toLowerCase()}|${ip}`;
}
