/**
 * Tier presets: policies and a failure mode for the kinds of endpoint every service has, so a
 * team picks a tier instead of inventing numbers. Every number here is documented in the
 * README; change a tier by passing `policies` or `failure` beside it.
 */
import type { PolicyOptions } from './policy';

/** A preset's policies and failure mode. */
export interface Tier {
  /** What the tier is for. */
  readonly description: string;
  /** Its policies. */
  readonly policies: readonly PolicyOptions[];
  /** What it does when the store fails. */
  readonly failure: 'open' | 'closed' | 'fallback';
}

/** The name of a tier. */
export type TierName = 'strict' | 'standard' | 'relaxed' | 'api' | 'auth';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * The tier presets.
 *
 * - `strict`: 10 per minute (sliding window); fails closed. Expensive or abusable actions:
 *   sign-up, password reset, sending email.
 * - `standard`: 100 per minute (GCRA, bursts of 20); falls back to memory. Ordinary pages
 *   and API calls of signed-in users.
 * - `relaxed`: 1000 per minute (token bucket); fails open. Cheap reads, static-like
 *   content, health checks from known callers.
 * - `api`: 20 per second with bursts of 40 (token bucket) and 50 000 per day (fixed window);
 *   falls back to memory. Public API keys.
 * - `auth`: failed sign-ins only, 5 per 15 minutes per username and IP, 100 per day per IP
 *   (sliding windows); blocks from 15 minutes, doubling on every repeat up to 24 hours, a
 *   quiet day forgiving one repeat; fails closed. Used by `createAuthLimiter`.
 */
export const TIERS: Readonly<Record<TierName, Tier>> = {
  strict: {
    description: 'Expensive or abusable actions: sign-up, password reset, sending email.',
    policies: [{ name: 'strict', algorithm: 'sliding-window', limit: 10, windowMs: MINUTE }],
    failure: 'closed',
  },
  standard: {
    description: 'Ordinary pages and API calls of signed-in users.',
    policies: [{ name: 'standard', algorithm: 'gcra', limit: 100, windowMs: MINUTE, burst: 20 }],
    failure: 'fallback',
  },
  relaxed: {
    description: 'Cheap reads and calls from known clients.',
    policies: [{ name: 'relaxed', algorithm: 'token-bucket', limit: 1000, windowMs: MINUTE }],
    failure: 'open',
  },
  api: {
    description: 'Public API keys: a per-second burst limit and a daily quota.',
    policies: [
      { name: 'per-second', algorithm: 'token-bucket', limit: 20, windowMs: 1000, burst: 40 },
      { name: 'daily', algorithm: 'fixed-window', limit: 50_000, windowMs: DAY },
    ],
    failure: 'fallback',
  },
  auth: {
    description: 'Failed sign-in attempts, by username and IP and by IP alone.',
    policies: [
      { name: 'user-ip', algorithm: 'sliding-window', limit: 5, windowMs: 15 * MINUTE },
      { name: 'ip-daily', algorithm: 'sliding-window', limit: 100, windowMs: DAY },
    ],
    failure: 'closed',
  },
};
